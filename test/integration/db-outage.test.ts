/**
 * PostgreSQL goes away for a few seconds while senders post and deliveries are due, then
 * comes back; hookyard is not restarted. The shared test server cannot be stopped, so a
 * TCP proxy between hookyard and it is cut and restored (test/support/tcp-proxy.ts).
 * One run of the scenario (in beforeAll) and one test per promise hookyard makes about it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase, postgresUrl, type TestDatabase } from "../support/databases.ts";
import { type FakeSvix, startFakeSvix } from "../support/fake-svix-server.ts";
import {
  type Answer,
  INGEST_KINDS,
  isSuccess,
  type Load,
  startLoad,
  subscribeReceiverAndHook,
  unstored,
} from "../support/outage-load.ts";
import { capturingLogger, type Receiver, startReceiver, status } from "../support/receiver.ts";
import { startTcpProxy, type TcpProxy, targetOf, viaProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

const GITHUB_SECRET = "outage-github-secret";
/** Long enough for in-flight deliveries to lose their lease and be claimed again. */
const OUTAGE_MS = 4_000;
/** The delivery worker's lease is 3 × DELIVERY_TIMEOUT (min 2 s): 3 s here. */
const DELIVERY_TIMEOUT = "1s";

type Phase = "before" | "cutting" | "down" | "restoring" | "after";

function proxiedDatabase(database: TestDatabase, proxy: TcpProxy): TestDatabase {
  if (database.target.kind !== "postgres") throw new Error("a PostgreSQL database is needed");
  return { ...database, target: { kind: "postgres", url: viaProxy(database.target.url, proxy) } };
}

describe.skipIf(!postgresUrl)("PostgreSQL outage", () => {
  let proxy: TcpProxy;
  let database: TestDatabase;
  let direct: postgres.Sql;
  let app: TestApp;
  let receiver: Receiver;
  let svix: FakeSvix;
  let load: Load;
  const logs = capturingLogger();
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  let phase: Phase = "before";
  const readiness: { phase: Phase; status: number | "error" }[] = [];
  let answers: readonly Answer[] = [];
  let outageStartedAt = 0;
  let restoredAt = 0;
  let everythingDeliveredAt = 0;
  /** Deliveries not yet delivered when the database went away: due during the outage. */
  let dueAtCut = 0;
  /** Set when the scenario ends, however it ends, so the probes stop. */
  let finished = false;
  const pendingDeliveries = async () => {
    const [row] = await direct<{ n: number }[]>`
      select count(*)::int as n from deliveries where status = 'pending'`;
    return row?.n ?? 0;
  };

  const counts = async () => {
    const [row] = await direct<
      { events: number; deliveries: number; delivered: number; leased: number }[]
    >`
      select (select count(*) from events)::int as events,
             (select count(*) from deliveries)::int as deliveries,
             (select count(*) from deliveries where status = 'delivered')::int as delivered,
             (select count(*) from deliveries where leased_by is not null)::int as leased`;
    if (!row) throw new Error("no counts");
    return row;
  };
  const answered = (kind: string, wanted: (answer: Answer) => boolean) =>
    load.answers.filter((answer) => answer.kind === kind && wanted(answer)).length;

  beforeAll(async () => {
    process.on("unhandledRejection", onCrash);
    process.on("uncaughtException", onCrash);
    if (!postgresUrl) return;
    database = await createTestDatabase("postgres");
    if (database.target.kind !== "postgres") throw new Error("unreachable");
    direct = postgres(database.target.url, { max: 2, onnotice: () => {} });
    proxy = await startTcpProxy(targetOf(postgresUrl));
    svix = await startFakeSvix();
    // Every message is refused once (a retry is then due a moment later, in the outage for
    // those sent just before it) and answered after a short delay, so attempts are in flight.
    const seen = new Set<string>();
    receiver = startReceiver(async (request) => {
      await Bun.sleep(100);
      if (seen.has(request.id)) return new Response("ok");
      seen.add(request.id);
      return status(503);
    });
    app = await startTestApp("postgres", {
      database: proxiedDatabase(database, proxy),
      log: logs.log,
      settings: {
        GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        SVIX_TOKEN: svix.token,
        SVIX_SERVER_URL: svix.url,
        ALLOW_PRIVATE_ENDPOINTS: "true",
        DELIVERY_TIMEOUT,
        DELIVERY_RETRY_SCHEDULE: Array(12).fill("300ms").join(","),
        // Every second, so runs meet the outage: retention holds a lock connection.
        RETENTION_CRON: "* * * * * *",
      },
    });
    const { hookId } = await subscribeReceiverAndHook(app, receiver, "outage-tester");

    const probeReadiness = async () => {
      while (!finished && (phase !== "after" || readiness.at(-1)?.status !== 200)) {
        const at = phase;
        const response = await app.request("/readyz").catch(() => undefined);
        if (at === phase) readiness.push({ phase: at, status: response?.status ?? "error" });
        await Bun.sleep(100);
      }
    };
    const probing = probeReadiness();

    load = startLoad({
      baseUrl: app.url,
      senders: 3,
      pauseMs: 15,
      githubSecret: GITHUB_SECRET,
      hookId,
      phase: () => phase,
    });
    // Before: every kind stored, and deliveries under way.
    await until(
      () =>
        INGEST_KINDS.every((kind) => answered(kind, isSuccess) >= 3) &&
        receiver.requests.length >= 5,
      10_000,
      () =>
        `before the outage: ${load.answers.length} answers, ${receiver.requests.length} deliveries`,
    );

    phase = "cutting";
    await proxy.cut();
    phase = "down";
    outageStartedAt = Date.now();
    dueAtCut = await pendingDeliveries();
    await Bun.sleep(OUTAGE_MS); // the outage itself: its length is the scenario, not a wait for an event
    await until(
      () => INGEST_KINDS.every((kind) => answered(kind, (a) => a.sentIn === "down") >= 3),
      10_000,
      () =>
        `too few requests answered during the outage: ${INGEST_KINDS.map((kind) => `${kind} ${answered(kind, (a) => a.sentIn === "down")}`).join(", ")}`,
    );

    phase = "restoring";
    await proxy.restore();
    phase = "after";
    restoredAt = Date.now();
    await until(
      () =>
        INGEST_KINDS.every(
          (kind) => answered(kind, (a) => a.sentIn === "after" && isSuccess(a)) >= 3,
        ),
      15_000,
      () => "after the outage: ingestion did not recover",
    );
    answers = await load.stop();
    await probing;

    // Drain: every delivery ends delivered (the receiver accepts each second attempt).
    await until(
      async () => {
        const now = await counts();
        return now.deliveries > 0 && now.delivered === now.deliveries;
      },
      25_000,
      async () => `deliveries did not all end delivered: ${JSON.stringify(await counts())}`,
    );
    everythingDeliveredAt = Date.now();
  }, 60_000);

  afterAll(async () => {
    finished = true;
    process.off("unhandledRejection", onCrash);
    process.off("uncaughtException", onCrash);
    await load?.stop();
    await app?.stop();
    await receiver?.stop();
    await svix?.stop();
    await proxy?.close();
    await direct?.end();
    await database?.drop();
    // Closing a pool that lived through an outage takes postgres.js's full end() timeout.
  }, 30_000);

  test("during the outage every ingestion answer is a JSON 503 with Retry-After", () => {
    const during = answers.filter((a) => a.sentIn === "down" && a.answeredIn === "down");
    expect(during.length).toBeGreaterThan(10);
    const wrong = during.filter(
      (a) =>
        a.status !== 503 ||
        a.retryAfter === null ||
        !a.contentType?.startsWith("application/json") ||
        typeof (a.body as { error?: unknown })?.error !== "string",
    );
    expect(wrong).toEqual([]);
  });

  test("every answer is a 2xx or a 503: no 500, no dropped connection", () => {
    const others = answers.filter((a) => !isSuccess(a) && a.status !== 503);
    expect(others).toEqual([]);
  });

  test("every event answered with a 2xx is stored", async () => {
    expect(answers.filter(isSuccess).length).toBeGreaterThan(30);
    expect(await unstored(direct, answers)).toEqual([]);
  });

  test("/readyz answers 503 while the database is away and 200 once it is back", () => {
    const statuses = (p: Phase) => [
      ...new Set(readiness.filter((r) => r.phase === p).map((r) => r.status)),
    ];
    expect(statuses("before")).toEqual([200]);
    expect(statuses("down")).toEqual([503]);
    expect(readiness.at(-1)).toEqual({ phase: "after", status: 200 });
  });

  test("every stored event is delivered to the endpoint, at least once each", async () => {
    // The scenario is only worth something if deliveries were due while the database was away.
    expect(dueAtCut).toBeGreaterThan(0);
    // hookyard's own events (an endpoint recovered after the refused first attempts) go
    // only to endpoints that name them, which this one does not.
    const events = await direct<{ id: string }[]>`select id from events where source <> 'hookyard'`;
    const undelivered = await direct<{ id: string }[]>`
      select e.id from events e
      where e.source <> 'hookyard' and not exists (select 1 from deliveries d where d.event_id = e.id and d.status = 'delivered')`;
    expect(undelivered.map((row) => row.id)).toEqual([]);
    const received = new Set(
      receiver.requests.filter((request) => request.verified).map((request) => request.id),
    );
    expect(events.filter((event) => !received.has(event.id))).toEqual([]);
  });

  test("every notification accepted reaches Svix, once", async () => {
    const accepted = answers.filter((a) => a.kind === "notification" && isSuccess(a)).length;
    await until(
      async () => {
        const [row] = await direct<{ sent: number }[]>`
          select count(*)::int as sent from relay_messages where status = 'sent'`;
        return (row?.sent ?? 0) >= accepted;
      },
      20_000,
      () => `relay: not every accepted notification was sent (${accepted} accepted)`,
    );
    const [row] = await direct<{ pending: number }[]>`
      select count(*)::int as pending from relay_messages where status <> 'sent'`;
    expect(row?.pending).toBe(0);
    expect([...svix.countByEventId().values()].filter((n) => n !== 1)).toEqual([]);
  });

  test("the workers resumed: no lease is left and a new event is delivered promptly", async () => {
    expect((await counts()).leased).toBe(0);
    const before = receiver.requests.length;
    const response = await app.request("/trigger/after.outage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(202);
    const { event_id } = await response.json();
    // Woken by its notification, or at worst by the next poll or outage back-off (≤ 10 s).
    await receiver.waitFor(before + 1, 10_000);
    expect(receiver.requests.at(-1)?.id).toBe(event_id);
  }, 15_000);

  test("retention runs again after the outage", async () => {
    const runs = () => app.ctx.metrics.retentionRuns.get({ outcome: "done" });
    const before = runs();
    // Runs every second, each on the lock connection, which reconnects with back-off:
    // on a loaded machine the first run that completes came after 5 s.
    await until(
      () => runs() > before,
      15_000,
      () => "no retention run completed after the outage",
    );
  }, 20_000);

  test("nothing crashed: no unhandled rejection, no uncaught exception", () => {
    expect(crashes).toEqual([]);
    expect(outageStartedAt).toBeGreaterThan(0);
    expect(restoredAt - outageStartedAt).toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(everythingDeliveredAt).toBeGreaterThanOrEqual(restoredAt);
  });
});

describe.skipIf(!postgresUrl)("PostgreSQL outage during a relay send", () => {
  test("a message sent to Svix while the database went away is recorded once it is back, not sent again", async () => {
    if (!postgresUrl) return;
    const database = await createTestDatabase("postgres");
    const proxy = await startTcpProxy(targetOf(postgresUrl));
    const svix = await startFakeSvix();
    // The relay's lease is 2 × DELIVERY_TIMEOUT + 5 s = 11 s: far longer than the outage.
    const app = await startTestApp("postgres", {
      database: proxiedDatabase(database, proxy),
      settings: { SVIX_TOKEN: svix.token, SVIX_SERVER_URL: svix.url, DELIVERY_TIMEOUT: "3s" },
    });
    try {
      // Svix answers after the database has gone: the send succeeds, its record cannot.
      svix.failNext({ kind: "slow", delayMs: 800 });
      const accepted = await app.request("/notifications", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "evt-in-flight", type: "user.created", project: "outage" }),
      });
      expect(accepted.status).toBe(202);
      const { id } = await accepted.json();
      // The application is created first; the (slow) message request follows at once.
      await until(
        () => svix.requests.some((r) => r.path === "/api/v1/app"),
        5_000,
        () => "the relay did not start sending",
      );
      await proxy.cut();
      await svix.waitForMessages(1, 5_000);
      await Bun.sleep(1_500); // the outage outlasts the send: its length is the scenario
      await proxy.restore();
      const restored = Date.now();
      await until(
        async () => (await app.store.relay.get(id))?.status === "sent",
        15_000,
        () => "the relay message was never recorded as sent",
      );
      // Recorded by the send that made it, not by a second send once the lease ran out.
      expect(Date.now() - restored).toBeLessThan(4_000);
      const sends = svix.requests.filter((r) => /\/msg\/?$/.test(r.path));
      expect(sends).toHaveLength(1);
    } finally {
      await app.stop();
      await svix.stop();
      await proxy.close();
      await database.drop();
    }
  }, 30_000);
});
