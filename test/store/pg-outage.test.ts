/**
 * The PostgreSQL store when the database goes away and comes back: through a TCP proxy
 * (test/support/tcp-proxy.ts) cut and restored, since the shared server must keep running.
 */
import { describe, expect, test } from "bun:test";
import { isDatabaseUnavailable } from "../../src/store/errors.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { PgStore } from "../../src/store/pg/index.ts";
import { createTestDatabase, postgresUrl } from "../support/databases.ts";
import { startTcpProxy, targetOf, viaProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

/** Whether one ping gets an answer. */
const answers = (store: PgStore) =>
  store.ping().then(
    () => true,
    () => false,
  );

/** Waits until the store answers again after an outage, failing the test past `ms`. */
const reconnected = (store: PgStore, ms: number) =>
  until(
    () => answers(store),
    ms,
    () => "the store never reconnected",
  );

describe.skipIf(!postgresUrl)("PgStore through a database outage", () => {
  /** Runs `ping` repeatedly for `ms`, returning how long each call took to settle. */
  async function pings(store: PgStore, ms: number) {
    const settled: { ok: boolean; ms: number }[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const started = performance.now();
      const ok = await answers(store);
      settled.push({ ok, ms: performance.now() - started });
    }
    return settled;
  }

  test("queries fail fast while the database is away and work as soon as it is back", async () => {
    if (!postgresUrl) return;
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const store = PgStore.open({ url: viaProxy(postgresUrl, proxy) });
    try {
      await store.ping();
      await proxy.cut();
      // Every failed connection lengthens postgres.js's own reconnect delay (up to 20 s by
      // default), and a query waits that delay out before it can fail: requests would hang
      // instead of answering 503, and outlive the outage.
      const down = await pings(store, 4_000);
      expect(down.every((ping) => !ping.ok)).toBe(true);
      expect(down.length).toBeGreaterThan(4);
      expect(Math.max(...down.map((ping) => ping.ms))).toBeLessThan(1_500);
      await proxy.restore();
      const restored = performance.now();
      await reconnected(store, 10_000);
      expect(performance.now() - restored).toBeLessThan(1_500);
    } finally {
      await store.close();
      await proxy.close();
    }
  }, 20_000);
});

const event = (id: string): NewEvent => ({
  source: "entity",
  type: "task.update",
  occurredAt: new Date(),
  receivedAt: new Date(),
  payload: { id },
  headers: {},
  dedupeKey: id,
});

describe.skipIf(!postgresUrl)("PgStore when a new connection is lost at its first query", () => {
  // postgres.js looks up the server's array types with the first query of each new
  // connection unless told not to, and nothing awaits that lookup: a connection lost
  // during it was an unhandled rejection, which ends a Bun process (seen in CI as an
  // error between tests, and once before on the worker's connections).
  test("on each of the store's connections the call fails as unavailable, nothing is left unhandled, and the next call works", async () => {
    if (!postgresUrl) return;
    const unhandled: unknown[] = [];
    const onUnhandled = (error: unknown) => unhandled.push(error);
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    const database = await createTestDatabase("postgres");
    await (await database.openStore()).close(); // migrated, on the server directly
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const url = database.target.kind === "postgres" ? database.target.url : "";
    const store = PgStore.open({ url: viaProxy(url, proxy) });
    const lease = { ms: 30_000, holder: "reset-test" };
    // One call per connection pool the store keeps (pg/index.ts `open`), each pool's first.
    const calls = {
      "a read": () => store.ping(),
      "an event's insert": () => store.events.record(event(crypto.randomUUID())),
      "a lock": () => store.tryExclusive("reset-at-first-query", async () => "ran"),
      "a delivery claim": () => store.deliveries.claimDue(new Date(), 10, lease),
    };
    try {
      for (const [what, call] of Object.entries(calls)) {
        proxy.resetAtFirstQuery(1);
        const accepted = proxy.accepted;
        const failure = await call().then(
          () => "answered",
          (error: unknown) => error,
        );
        expect({ what, reset: proxy.accepted > accepted }).toEqual({ what, reset: true });
        expect({ what, unavailable: isDatabaseUnavailable(failure) }).toEqual({
          what,
          unavailable: true,
        });
        expect({ what, next: await call().then(() => "answered") }).toEqual({
          what,
          next: "answered",
        });
      }
      // An unhandled rejection is reported on a later tick than the failure the caller saw.
      await Bun.sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      process.off("uncaughtException", onUnhandled);
      await store.close();
      await proxy.close();
      await database.drop();
    }
  }, 20_000);
});

describe.skipIf(!postgresUrl)("PgStore events through a network partition", () => {
  test("an event the database never answers fails as unavailable, and the next is stored once it is back", async () => {
    if (!postgresUrl) return;
    const database = await createTestDatabase("postgres");
    await (await database.openStore()).close(); // migrated, on the server directly
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const url = database.target.kind === "postgres" ? database.target.url : "";
    const store = PgStore.open({ url: viaProxy(url, proxy) });
    try {
      await store.events.record(event("before"));
      // Packets dropped without a reset: the statement waits on TCP and never answers.
      proxy.stall();
      const started = performance.now();
      const error = await store.events.record(event("partitioned")).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(performance.now() - started).toBeLessThan(7_000);
      proxy.resume();
      // The writer is free again: a batch that never answered must not hold up the next.
      const after = await store.events.record(event("after"));
      expect(after.status).toBe("stored");
    } finally {
      proxy.resume();
      await store.close();
      await proxy.close();
      await database.drop();
    }
  }, 20_000);
});

describe.skipIf(!postgresUrl)("PgStore LISTEN/NOTIFY through a database outage", () => {
  test("a listener is subscribed again once the connection comes back", async () => {
    if (!postgresUrl) return;
    const database = await createTestDatabase("postgres");
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const url = viaProxy(postgresUrl, proxy);
    const store = PgStore.open({ url });
    const other = PgStore.open({ url: postgresUrl });
    try {
      let woken = 0;
      await store.onWake("deliveries", () => woken++);
      await other.wake("deliveries");
      // Other test files notify on the same channel (it is per database, not per schema):
      // count from here on rather than expect exact numbers.
      await until(
        () => woken >= 1,
        5_000,
        () => "no wake-up before the outage",
      );
      await proxy.cut();
      // Long enough for the listening connection's reconnects to fail a few times: each
      // failure drops the channel and subscribes it again (postgres.js's onclose).
      await Bun.sleep(1_500);
      await proxy.restore();
      const beforeRestore = woken;
      // postgres.js re-listens on its own; notifications sent until it has are not seen,
      // which is what the workers' poll is for. Keep notifying until one arrives.
      await until(
        async () => {
          await other.wake("deliveries");
          return woken > beforeRestore;
        },
        10_000,
        () => "the listener never heard a notification after the outage",
      );
    } finally {
      await store.close();
      await other.close();
      await proxy.close();
      await database.drop();
    }
  }, 20_000);
});

describe.skipIf(!postgresUrl)("PgStore.tryExclusive through a database outage", () => {
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  /** Settles `promise` as a value, "rejected", or "hung" after `ms`. */
  const settled = <T>(promise: Promise<T>, ms = 5_000) =>
    Promise.race([
      promise.then(
        (value) => ({ value }),
        () => "rejected" as const,
      ),
      Bun.sleep(ms).then(() => "hung" as const),
    ]);

  test("a run tried while the database is away fails; runs afterwards work, and so does the pool", async () => {
    if (!postgresUrl) return;
    process.on("uncaughtException", onCrash);
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const store = PgStore.open({ url: viaProxy(postgresUrl, proxy) });
    try {
      await store.ping();
      await proxy.cut();
      expect(await settled(store.tryExclusive("outage-a", async () => 1))).toBe("rejected");
      await proxy.restore();
      await reconnected(store, 5_000);
      for (let i = 0; i < 3; i++) {
        expect(await settled(store.tryExclusive("outage-a", async () => i))).toEqual({
          value: { ran: true, value: i },
        });
        expect(await settled(store.ping())).toEqual({ value: undefined });
      }
      expect(crashes).toEqual([]);
    } finally {
      process.off("uncaughtException", onCrash);
      await store.close();
      await proxy.close();
    }
  }, 30_000);

  test("a lock the network never answers fails after the limit; once it is back this instance runs again", async () => {
    if (!postgresUrl) return;
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const store = PgStore.open({ url: viaProxy(postgresUrl, proxy), lockCallLimitMs: 300 });
    const other = PgStore.open({ url: postgresUrl });
    try {
      // The lock connection is open before the partition, as in a long-running instance.
      expect(await settled(store.tryExclusive("partition-a", async () => 0))).toEqual({
        value: { ran: true, value: 0 },
      });
      proxy.stall();
      let ran = false;
      const started = performance.now();
      const failure = await store
        .tryExclusive("partition-a", async () => {
          ran = true;
        })
        .catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(ran).toBe(false);
      proxy.resume();
      // The held query reaches the server now and is granted to this instance's session,
      // which nobody is listening to any more: another instance is refused while it lasts,
      // and this one, whose session already holds it, takes it again (PgStore.tryExclusive).
      expect(await settled(store.tryExclusive("partition-a", async () => 1))).toEqual({
        value: { ran: true, value: 1 },
      });
      expect(await settled(other.tryExclusive("partition-a", async () => 2))).toEqual({
        value: { ran: false },
      });
    } finally {
      await store.close();
      await other.close();
      await proxy.close();
    }
  }, 30_000);

  test("a run cut off by an outage settles, and the lock is free again afterwards, here and elsewhere", async () => {
    if (!postgresUrl) return;
    process.on("uncaughtException", onCrash);
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const store = PgStore.open({ url: viaProxy(postgresUrl, proxy) });
    const other = PgStore.open({ url: postgresUrl });
    try {
      const cutOff = await settled(
        store.tryExclusive("outage-b", async () => {
          await proxy.cut();
          // The task's own work fails, as a prune batch would.
          await store.ping();
          return "finished";
        }),
      );
      expect(cutOff).not.toBe("hung");
      await proxy.restore();
      await reconnected(store, 5_000);
      // The lost session released its lock on the server: another instance can take it…
      expect(await settled(other.tryExclusive("outage-b", async () => "other"))).toEqual({
        value: { ran: true, value: "other" },
      });
      // …and so can this one, whose in-process guard was cleared.
      expect(await settled(store.tryExclusive("outage-b", async () => "again"))).toEqual({
        value: { ran: true, value: "again" },
      });
      expect(await settled(store.ping())).toEqual({ value: undefined });
      expect(crashes).toEqual([]);
    } finally {
      process.off("uncaughtException", onCrash);
      await store.close();
      await other.close();
      await proxy.close();
    }
  }, 30_000);
});
