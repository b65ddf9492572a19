/**
 * Three `hookyard serve` processes on one PostgreSQL schema, as a production deployment
 * runs them: started at the same moment on an empty schema, then put under load. Each
 * delivery must be attempted by exactly one instance, and retention, run by all of them
 * at once, by one at a time. (test/binary covers `hookyard migrate` racing from the binary.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import type { AppContext } from "../../src/context.ts";
import { silentLogger } from "../../src/ops/log.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { type PruneReport, pruneOnce } from "../../src/ops/retention.ts";
import { pgMigrations } from "../../src/store/migrations.gen.ts";
import type { PgStore } from "../../src/store/pg/index.ts";
import type { Store } from "../../src/store/store.ts";
import { databaseUrlOf } from "../support/app.ts";
import { createTestDatabase, postgresUrl, type TestDatabase } from "../support/databases.ts";
import {
  api,
  type HookyardProcess,
  isDelivered,
  runHookyard,
  startHookyard,
  untilLogged,
} from "../support/processes.ts";
import { ok, type Receiver, startReceiver, withTimeout } from "../support/receiver.ts";

const INSTANCES = 3;
const EVENTS = 150;
const DAY = 86_400_000;

describe.skipIf(!postgresUrl)("three hookyard instances on one PostgreSQL", () => {
  let database: TestDatabase;
  let store: PgStore;
  let instances: HookyardProcess[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.kill("SIGKILL")));
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    await store?.close();
    await database.drop();
  });

  /** Rows of `sql`, run in the test's schema. */
  const query = <T>(sql: string) => store.client.unsafe(sql) as Promise<T[]>;

  test("started at the same moment on an empty schema, they apply each migration once", async () => {
    instances = await Promise.all(
      Array.from({ length: INSTANCES }, () =>
        startHookyard({
          databaseUrl: databaseUrlOf(database),
          settings: {
            ALLOW_PRIVATE_ENDPOINTS: "true",
            DELIVERY_CONCURRENCY: "4",
            DELIVERY_TIMEOUT: "5s",
            // Retention runs here only when the test runs it.
            RETENTION_CRON: "0 0 1 1 *",
          },
        }),
      ),
    );
    const applied = instances.flatMap((i) => i.logs.filter((e) => e.msg === "migrations applied"));
    expect(applied).toHaveLength(1);
    expect(applied[0]?.applied).toEqual(pgMigrations.map((m) => m.tag));
    store = (await database.openStore()) as PgStore;
    expect((await store.migrate()).applied).toEqual([]);
    const tags = await query<{ tag: string; n: number }>(
      "select tag, count(*)::int as n from hookyard_migrations group by tag order by tag",
    );
    expect(tags).toEqual(pgMigrations.map((m) => ({ tag: m.tag, n: 1 })));
  });

  test("under load, each delivery is attempted by exactly one instance", async () => {
    const endpointIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      // A receiver that takes a moment, so every instance has attempts in flight at once.
      const receiver = startReceiver(async (request) => {
        await Bun.sleep(5);
        return ok(request);
      });
      receivers.push(receiver);
      const endpoint = await api(instances[0] as HookyardProcess, "/endpoints", {
        url: receiver.url,
        event_types: ["inst.*"],
      });
      receiver.secret = endpoint.secret;
      endpointIds.push(endpoint.id);
    }

    // Events come in through every instance while all of them deliver.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < EVENTS) {
          const i = next++;
          await api(instances[i % INSTANCES] as HookyardProcess, "/trigger/inst.load", { i });
        }
      }),
    );
    const total = EVENTS * endpointIds.length;
    await Promise.all(receivers.map((receiver) => receiver.waitFor(EVENTS, 20_000)));
    const delivered = () => instances.reduce((n, i) => n + i.delivered(), 0);
    await untilLogged(
      () => delivered() >= total,
      () => `the instances recorded ${delivered()} of ${total} deliveries`,
    );

    for (const receiver of receivers) {
      const ids = receiver.requests.map((r) => r.id);
      expect(new Set(ids).size).toBe(EVENTS);
      expect(ids).toHaveLength(EVENTS);
      expect(receiver.requests.every((r) => r.verified)).toBe(true);
    }
    const perDelivery = await query<{ attempts: number; n: number }>(
      `select attempts, count(*)::int as n from (
         -- the latest attempt is on the delivery's row, earlier ones in delivery_attempts
         select d.id, count(a.id)::int + (d.last_attempt_id is not null)::int as attempts
         from deliveries d left join delivery_attempts a on a.delivery_id = d.id
         where d.status = 'delivered' group by d.id
       ) per group by attempts`,
    );
    expect(perDelivery).toEqual([{ attempts: 1, n: total }]);
    // Each instance made its own share, and no delivery shows up in two instances' logs.
    const byInstance = instances.map(
      (i) => new Set(i.logs.filter(isDelivered).map((e) => String(e.delivery_id))),
    );
    for (const ids of byInstance) expect(ids.size).toBeGreaterThan(0);
    expect(new Set(byInstance.flatMap((ids) => [...ids])).size).toBe(total);
  }, 40_000);

  /** Old rows for retention to delete: events nobody subscribes to, and rejected relay messages. */
  async function seedOld(events: number, relay: number): Promise<void> {
    await query(
      `insert into events (id, source, type, occurred_at, received_at, payload, headers)
       select 'old-' || gen_random_uuid(), 'trigger', 'old.event', now() - interval '3 days',
              now() - interval '3 days' + g * interval '1 ms', '{}', '{}'
       from generate_series(1, ${events}) g`,
    );
    const threeDaysAgo = new Date(Date.now() - 3 * DAY);
    for (let i = 0; i < relay; i++) {
      await store.relay.accept(
        { status: "rejected", payload: { i }, reason: "not an event" },
        threeDaysAgo,
      );
    }
  }

  const countOf = async (sql: string) => (await query<{ n: number }>(sql))[0]?.n;

  test("`hookyard prune` run by three processes at once deletes each old row once, under load", async () => {
    await seedOld(2_500, 30);
    const recent = await countOf("select count(*)::int as n from events where type like 'inst.%'");
    let loading = true;
    const load = (async () => {
      for (let i = 0; loading; i++)
        await api(instances[i % INSTANCES] as HookyardProcess, "/trigger/inst.during", { i });
    })();

    const env = { DATABASE_URL: databaseUrlOf(database), LOG_LEVEL: "error" };
    const runs = await Promise.all(
      Array.from({ length: INSTANCES }, () => runHookyard(["prune", "--older-than", "1d"], env)),
    );
    loading = false;
    await load;

    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    let events = 0;
    let relay = 0;
    for (const { stdout } of runs) {
      const done = /^deleted (\d+) event\(s\) and (\d+) relay message\(s\)/.exec(stdout);
      if (done) {
        events += Number(done[1]);
        relay += Number(done[2]);
      } else expect(stdout).toStartWith("another instance is pruning right now");
    }
    expect({ events, relay }).toEqual({ events: 2_500, relay: 30 });
    expect(await countOf("select count(*)::int as n from events where type = 'old.event'")).toBe(0);
    // Recent events stay, those stored while the prunes ran included.
    expect(
      await countOf("select count(*)::int as n from events where type like 'inst.%'"),
    ).toBeGreaterThan(recent ?? 0);
  }, 40_000);

  test("while one instance prunes, the others' runs are skipped: one retention run at a time", async () => {
    await seedOld(1_500, 0);
    const stores = await Promise.all(Array.from({ length: INSTANCES }, () => database.openStore()));
    try {
      // Each instance's first delete waits at a gate, so a run that got past the lock
      // stays inside until the others have tried theirs.
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => {
        openGate = resolve;
      });
      const entered: number[] = [];
      let someoneEntered!: () => void;
      const inside = new Promise<void>((resolve) => {
        someoneEntered = resolve;
      });
      const runs = stores.map((s, i) => {
        const gated = {
          tryExclusive: s.tryExclusive.bind(s),
          retention: {
            async deleteEventsBefore(cutoff: Date, limit: number) {
              if (!entered.includes(i)) {
                entered.push(i);
                someoneEntered();
                await gate;
              }
              return s.retention.deleteEventsBefore(cutoff, limit);
            },
            deleteRelayMessagesBefore: s.retention.deleteRelayMessagesBefore.bind(s.retention),
          },
        } as unknown as Store;
        return pruneOnce(contextOf(gated), DAY);
      });
      await withTimeout(inside, 10_000, () => "no instance started pruning");
      const winner = entered[0] as number;
      const others = runs.filter((_, i) => i !== winner);
      const skipped = await withTimeout(
        Promise.all(others),
        10_000,
        () => `two runs were inside at once: instances ${entered.join(", ")}`,
      );
      openGate();
      const done = (await runs[winner]) as PruneReport;
      expect(entered).toEqual([winner]);
      expect(skipped.map((report) => report.status)).toEqual(["skipped", "skipped"]);
      expect(done).toMatchObject({ status: "done", deleted: { events: 1_500, relay_messages: 0 } });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

function contextOf(store: Store): AppContext {
  return {
    config: loadConfig({}),
    store,
    log: silentLogger,
    metrics: createMetrics(),
    version: "test",
    now: () => new Date(),
  };
}
