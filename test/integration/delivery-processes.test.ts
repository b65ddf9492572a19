/**
 * Delivery across real processes: `bun src/main.ts serve` as children, killed with
 * SIGKILL mid-attempt, and two instances sharing one PostgreSQL database.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { databaseUrlOf } from "../support/app.ts";
import {
  createTestDatabase,
  dialects,
  postgresUrl,
  type TestDatabase,
} from "../support/databases.ts";
import { api, type HookyardProcess, startHookyard, untilLogged } from "../support/processes.ts";
import { ok, type Receiver, startReceiver } from "../support/receiver.ts";

type Instance = HookyardProcess;

const running: Instance[] = [];
const receivers: Receiver[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.kill("SIGKILL")));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function setUp(dialect: "sqlite" | "postgres") {
  const database = await createTestDatabase(dialect);
  databases.push(database);
  const receiver = startReceiver();
  receivers.push(receiver);
  const start = async (settings: Record<string, string>) => {
    const instance = await startHookyard({
      databaseUrl: databaseUrlOf(database),
      settings: { ALLOW_PRIVATE_ENDPOINTS: "true", ...settings },
    });
    running.push(instance);
    return instance;
  };
  return { receiver, start };
}

for (const dialect of dialects) {
  describe(`a hookyard killed mid-attempt (${dialect})`, () => {
    test("restarted, it delivers every delivery whose attempt was cut off", async () => {
      const { receiver, start } = await setUp(dialect);
      // 1 s attempts → 3 s leases (./src/delivery/worker.ts leaseFor): long enough to kill
      // the process mid-attempt, short enough for the restart to take the deliveries over.
      const settings = { DELIVERY_TIMEOUT: "1s", DELIVERY_RETRY_SCHEDULE: "50ms" };
      const first = await start(settings);
      receiver.respond = () => new Promise<Response>(() => {}); // holds every attempt open
      const endpoint = await api(first, "/endpoints", {
        url: receiver.url,
        event_types: ["crash.*"],
      });
      receiver.secret = endpoint.secret;
      const events: string[] = [];
      for (let i = 0; i < 5; i++)
        events.push((await api(first, "/trigger/crash.test", { i })).event_id);
      await receiver.waitFor(5);

      expect(await first.kill("SIGKILL")).not.toBe(0);
      running.splice(running.indexOf(first), 1);
      expect(first.logs.filter((e) => e.msg === "delivery attempt")).toHaveLength(0);

      receiver.respond = ok;
      const second = await start(settings);
      await untilLogged(
        () => second.delivered() >= 5,
        () => `the restarted instance delivered ${second.delivered()} of 5`,
      );

      const redelivered = receiver.requests.slice(5);
      expect(redelivered.map((r) => r.id).sort()).toEqual([...events].sort());
      expect(redelivered.every((r) => r.verified)).toBe(true);
      const { deliveries } = await api(second, `/deliveries?endpoint_id=${endpoint.id}`);
      expect(deliveries.map((d: { status: string }) => d.status)).toEqual(
        Array(5).fill("delivered"),
      );
      expect(await second.kill("SIGTERM")).toBe(0);
      running.splice(running.indexOf(second), 1);
    }, 30_000);
  });
}

describe.skipIf(!postgresUrl)("two hookyard instances on one PostgreSQL", () => {
  test("deliver each message once: no webhook-id reaches the receiver twice", async () => {
    const { receiver, start } = await setUp("postgres");
    // A slow-ish receiver and few slots, so both instances must keep claiming side by side.
    receiver.respond = async (request) => {
      await Bun.sleep(10);
      return ok(request);
    };
    const settings = { DELIVERY_CONCURRENCY: "4", DELIVERY_TIMEOUT: "5s" };
    const [a, b] = await Promise.all([start(settings), start(settings)]);
    const endpoint = await api(a, "/endpoints", { url: receiver.url, event_types: ["twin.*"] });
    receiver.secret = endpoint.secret;

    const count = 60;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        api(i % 2 === 0 ? a : b, "/trigger/twin.test", { i }),
      ),
    );
    await receiver.waitFor(count, 20_000);
    await untilLogged(
      () => a.delivered() + b.delivered() >= count,
      () => `recorded ${a.delivered() + b.delivered()} of ${count}`,
    );

    const ids = receiver.requests.map((r) => r.id);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    expect(a.delivered() + b.delivered()).toBe(count);
    // Both took part: with 4 slots each and NOTIFY waking both, neither can take it all.
    expect(a.delivered()).toBeGreaterThan(0);
    expect(b.delivered()).toBeGreaterThan(0);
  }, 30_000);
});
