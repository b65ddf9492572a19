/**
 * Delivery across real processes: `bun src/main.ts serve` as children, killed with
 * SIGKILL mid-attempt, and two instances sharing one PostgreSQL database.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { databaseUrlOf } from "../support/app.ts";
import {
  createTestDatabase,
  dialects,
  postgresUrl,
  type TestDatabase,
} from "../support/databases.ts";
import {
  type LogEntry,
  ok,
  type Receiver,
  startReceiver,
  withTimeout,
} from "../support/receiver.ts";

const root = join(import.meta.dir, "..", "..");

interface Instance {
  readonly url: string;
  readonly logs: LogEntry[];
  /** Attempts this instance recorded as delivered. */
  delivered(): number;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<number>;
}

/** Conditions over the children's logs, checked whenever any child logs a line. */
const logWaiters: { done: () => boolean; resolve: () => void }[] = [];

function onLogLine(): void {
  for (const waiter of logWaiters.filter((w) => w.done())) {
    logWaiters.splice(logWaiters.indexOf(waiter), 1);
    waiter.resolve();
  }
}

function untilLogged(done: () => boolean, what: () => string, timeoutMs = 15_000): Promise<void> {
  if (done()) return Promise.resolve();
  const waiter = { done, resolve: () => {} };
  const logged = new Promise<void>((resolve) => {
    waiter.resolve = resolve;
    logWaiters.push(waiter);
  });
  return withTimeout(logged, timeoutMs, what).finally(() => {
    if (logWaiters.includes(waiter)) logWaiters.splice(logWaiters.indexOf(waiter), 1);
  });
}

const isDelivered = (entry: LogEntry) =>
  entry.msg === "delivery attempt" && entry.outcome === "delivered";

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/** `hookyard serve` in a child process; resolves once it logs that it listens. */
async function startInstance(
  databaseUrl: string,
  settings: Record<string, string>,
): Promise<Instance> {
  const port = await freePort();
  const child = Bun.spawn(["bun", "src/main.ts", "serve"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "info",
      ALLOW_PRIVATE_ENDPOINTS: "true",
      ...settings,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: LogEntry[] = [];
  const stderr = new Response(child.stderr).text();
  (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("{")) logs.push(JSON.parse(line) as LogEntry);
      onLogLine();
    }
  })();
  const instance: Instance = {
    url: `http://127.0.0.1:${port}`,
    logs,
    delivered: () => logs.filter(isDelivered).length,
    async kill(signal) {
      child.kill(signal);
      return child.exited;
    },
  };
  const listening = untilLogged(
    () => logs.some((e) => e.msg === "hookyard is listening"),
    () => "hookyard did not start",
  );
  const exited = child.exited.then(async (code) => {
    throw new Error(`hookyard exited with ${code} before listening: ${await stderr}`);
  });
  await Promise.race([listening, exited]);
  return instance;
}

async function api(instance: Instance, path: string, body?: unknown) {
  const response = await fetch(`${instance.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

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
    const instance = await startInstance(databaseUrlOf(database), settings);
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
