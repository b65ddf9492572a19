/**
 * The relay end to end: hookyard → the fake Svix (test/support/fake-svix-server.ts), with
 * failures injected. Every event must arrive exactly once in effect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { databaseUrlOf, postJson, startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase, dialects } from "../support/databases.ts";
import { type FakeSvix, startFakeSvix } from "../support/fake-svix-server.ts";
import { freePort, startHookyard } from "../support/processes.ts";

const event = (id: string, project = "dev") => ({
  object: "event",
  id,
  type: "user.created",
  project,
  time: "2026-11-01T10:00:00Z",
  data: { user: { id: `usr_${id}` } },
});
const envelope = (value: unknown, messageId: string) => ({
  message: {
    data: Buffer.from(JSON.stringify(value)).toString("base64"),
    messageId,
    publishTime: "2026-11-01T10:00:01Z",
  },
  subscription: "projects/p/subscriptions/s",
});

/** Waits until every relay message has left `queued`; the store has no change feed to await. */
async function settled(app: TestApp, expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await app.store.relay.list({}, { limit: 500 });
    const done = page.items.filter((m) => m.status === "sent" || m.status === "failed").length;
    if (done >= expected) return;
    if (Date.now() > deadline)
      throw new Error(`only ${done} of ${expected} relay messages settled`);
    await Bun.sleep(20);
  }
}

async function sentInStore(app: TestApp, id: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await app.store.relay.get(id))?.status !== "sent") {
    if (Date.now() > deadline) throw new Error(`relay message ${id} was not sent`);
    await Bun.sleep(20);
  }
}

for (const dialect of dialects) {
  describe(`relay to Svix (${dialect})`, () => {
    let svix: FakeSvix;
    let app: TestApp;

    beforeAll(async () => {
      svix = await startFakeSvix();
      app = await startTestApp(dialect, {
        settings: { SVIX_TOKEN: svix.token, SVIX_SERVER_URL: svix.url, DELIVERY_TIMEOUT: "300ms" },
      });
    });
    afterAll(async () => {
      await app.stop();
      await svix.stop();
    });

    test("events, raw or in envelopes, reach Svix once each, in the project's application", async () => {
      for (let i = 0; i < 10; i++) {
        const body =
          i % 2 === 0 ? event(`evt_a${i}`) : envelope(event(`evt_a${i}`, "prod"), `ps-${i}`);
        expect((await postJson(app, "/notifications", body)).status).toBe(202);
      }
      await svix.waitForMessages(10);
      await settled(app, 10);
      expect([...svix.countByEventId().values()].every((n) => n === 1)).toBe(true);
      expect(svix.apps.has("dev")).toBe(true);
      expect(svix.apps.has("prod")).toBe(true);
      const sent = svix.messages.find((m) => m.eventId === "evt_a0");
      expect(sent).toMatchObject({
        appUid: "dev",
        eventType: "user.created",
        payload: event("evt_a0"),
      });
      expect(sent?.idempotencyKey).toMatch(/^hookyard-[0-9a-f]{64}$/);
      const stored = (await app.store.relay.list({ status: "sent" }, { limit: 500 })).items;
      expect(stored.find((m) => m.eventId === "evt_a0")?.svixMessageId).toBe(sent?.id ?? "");
    }, 30_000);

    test("under 429s, 5xx, slow answers and dropped connections, each event still arrives exactly once", async () => {
      const before = svix.messages.length;
      svix.failNext(
        { kind: "status", status: 500 },
        { kind: "status", status: 502 },
        { kind: "status", status: 503 },
        { kind: "drop" },
        { kind: "slow", delayMs: 1_000 },
        { kind: "status", status: 429 },
        { kind: "status", status: 500 },
      );
      for (let i = 0; i < 12; i++)
        await postJson(app, "/notifications", event(`evt_b${i}`, `p${i % 3}`));
      await svix.waitForMessages(before + 12, 30_000);
      await settled(app, 22, 30_000);
      const counts = svix.countByEventId();
      for (let i = 0; i < 12; i++) expect(counts.get(`p${i % 3}/evt_b${i}`)).toBe(1);
      expect(
        svix.requests.filter((r) => r.status === 500 || r.status === "dropped").length,
      ).toBeGreaterThanOrEqual(2);
    }, 30_000);

    test("after a 429 with Retry-After, the project is not sent to again before the wait ends", async () => {
      svix.failNext({ kind: "status", status: 429, retryAfterSeconds: 1 });
      const start = Date.now();
      const { id } = await (
        await postJson(app, "/notifications", event("evt_c1", "limited"))
      ).json();
      await sentInStore(app, id);
      const creates = svix.requests.filter(
        (r) => r.method === "POST" && r.path.startsWith("/api/v1/app/limited/msg"),
      );
      const limited = creates.findIndex((r) => r.status === 429);
      expect(limited).toBeGreaterThanOrEqual(0);
      const accepted = creates[limited + 1];
      expect(accepted?.status).toBe(202);
      expect((accepted?.at ?? 0) - (creates[limited]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
      expect(Date.now() - start).toBeGreaterThanOrEqual(1_000);
    }, 30_000);

    test("GET /metrics counts relay sends by outcome", async () => {
      const text = await (await app.request("/metrics")).text();
      expect(text).toMatch(/hookyard_relay_sends_total\{outcome="sent"\} [1-9]/);
      expect(text).toMatch(/hookyard_relay_sends_total\{outcome="(retrying|rate_limited)"\} [1-9]/);
      expect(text).toMatch(
        /hookyard_events_ingested_total\{outcome="stored",source="pubsub"\} [1-9]/,
      );
    });

    test("an event Svix already has (409 on its id) counts as sent", async () => {
      const { Svix } = await import("svix");
      const client = new Svix(svix.token, { serverUrl: svix.url, retryScheduleInMs: [] });
      await client.application.getOrCreate({ uid: "pre", name: "pre" });
      await client.message.create("pre", {
        eventType: "user.created",
        eventId: "evt_d1",
        payload: {},
      });
      const { id } = await (await postJson(app, "/notifications", event("evt_d1", "pre"))).json();
      await sentInStore(app, id);
      expect(svix.countByEventId().get("pre/evt_d1")).toBe(1);
    }, 30_000);

    test("a send whose record never answers is made again after its lease, and Svix keeps one", async () => {
      // Every message of the tests above is settled: the next record is this test's. It is
      // a write the database never answers (a query postgres.js left unsettled); waiting on
      // it for good would hold the worker's slot, and the message, forever.
      const relay = app.store.relay;
      const finish = relay.finish;
      let records = 0;
      relay.finish = (...args) =>
        records++ === 0 ? new Promise(() => {}) : finish.apply(relay, args);
      try {
        const posted = await postJson(app, "/notifications", event("evt_e1", "unrecorded"));
        const { id } = await posted.json();
        await sentInStore(app, id, 20_000);
        const creates = svix.requests.filter(
          (r) => r.method === "POST" && r.path.startsWith("/api/v1/app/unrecorded/msg"),
        );
        expect(creates).toHaveLength(2);
        // The lease is 2 × DELIVERY_TIMEOUT + 5 s: 5.6 s here.
        expect((creates[1]?.at ?? 0) - (creates[0]?.at ?? 0)).toBeGreaterThanOrEqual(5_500);
        expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(1);
        expect(svix.countByEventId().get("unrecorded/evt_e1")).toBe(1);
      } finally {
        relay.finish = finish;
      }
    }, 30_000);
  });
}

describe("relay: held without SVIX_TOKEN, released once it is set", () => {
  let svix: FakeSvix;
  afterEach(async () => {
    await svix?.stop();
  });

  test("messages held while the token was unset are sent after a restart with it", async () => {
    svix = await startFakeSvix();
    const database = await createTestDatabase("sqlite");
    try {
      const first = await startTestApp("sqlite", { database });
      await postJson(first, "/notifications", event("evt_h1"));
      await postJson(first, "/notifications", event("evt_h2"));
      expect((await first.store.relay.list({ status: "held" }, { limit: 10 })).items).toHaveLength(
        2,
      );
      await first.stop();
      const second = await startTestApp("sqlite", {
        database,
        settings: { SVIX_TOKEN: svix.token, SVIX_SERVER_URL: svix.url },
      });
      await svix.waitForMessages(2);
      await settled(second, 2);
      await second.stop();
      expect(svix.countByEventId()).toEqual(
        new Map([
          ["dev/evt_h1", 1],
          ["dev/evt_h2", 1],
        ]),
      );
    } finally {
      await database.drop();
    }
  }, 30_000);
});

describe("relay: kill -9 in the middle of a burst", () => {
  test("a restart loses and duplicates nothing", async () => {
    const svix = await startFakeSvix();
    const database = await createTestDatabase(
      dialects.includes("postgres") ? "postgres" : "sqlite",
    );
    const port = await freePort();
    const spawn = () =>
      startHookyard({
        databaseUrl: databaseUrlOf(database),
        port,
        settings: {
          SVIX_TOKEN: svix.token,
          SVIX_SERVER_URL: svix.url,
          // a short timeout makes the lease of a killed worker expire quickly
          DELIVERY_TIMEOUT: "200ms",
        },
        retain: () => false,
      });
    const base = `http://127.0.0.1:${port}`;
    try {
      let child = await spawn();
      // slow answers keep sends in flight when the process dies
      svix.setFailureRate(0.3, { kind: "slow", delayMs: 150 }, 7);
      const total = 60;
      const posts = [];
      for (let i = 0; i < total; i++) {
        posts.push(
          fetch(`${base}/notifications`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(event(`evt_k${i}`, `k${i % 4}`)),
          }),
        );
      }
      const accepted = (await Promise.all(posts)).filter((r) => r.status === 202).length;
      expect(accepted).toBe(total);
      await svix.waitForMessages(10, 20_000);
      await child.kill("SIGKILL");
      svix.setFailureRate(0, { kind: "drop" });
      child = await spawn();
      await svix.waitForMessages(total, 30_000);
      await child.kill("SIGTERM");
      const counts = svix.countByEventId();
      expect(counts.size).toBe(total);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await svix.stop();
      await database.drop();
    }
  }, 90_000);
});
