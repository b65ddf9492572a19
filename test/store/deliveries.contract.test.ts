/** The Store contract for endpoints, fan-out and deliveries, on every dialect. */
import { beforeAll, describe, expect, test } from "bun:test";
import type { ClaimedDelivery, Delivery } from "../../src/store/deliveries.ts";
import type { Endpoint } from "../../src/store/endpoints.ts";
import type { NewEvent, StoredEvent } from "../../src/store/events.ts";
import { PgStore } from "../../src/store/pg/index.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-11-22T10:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const LEASE = { ms: 30_000, holder: "worker-a" };

const event = (type: string, overrides: Partial<NewEvent> = {}): NewEvent => ({
  source: "trigger",
  type,
  occurredAt: t0,
  receivedAt: t0,
  payload: { type },
  headers: {},
  ...overrides,
});

const endpoint = (url: string, eventTypes: string[], enabled = true) => ({
  url,
  description: "",
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  eventTypes,
  enabled,
});

/** Whose attempt it is, as the worker says it when it records one. */
const about = (claimed: ClaimedDelivery | undefined) => ({
  deliveryId: claimed?.delivery.id ?? "",
  endpointId: claimed?.endpoint.id ?? "",
  eventId: claimed?.event.id ?? "",
  eventType: claimed?.event.type ?? "",
});

/** Writes an attempt row the way hookyard did before migration 0002. */
async function insertAttemptRow(store: Store, deliveryId: string, at: Date): Promise<void> {
  const columns = "id, delivery_id, attempted_at, status_code, duration_ms, error, response_body";
  if (store instanceof SqliteStore) {
    store.sqlite.run(
      `insert into delivery_attempts (${columns}) values ('legacy-attempt', ?, ?, 502, 30, 'HTTP 502', 'bad gateway')`,
      [deliveryId, at.getTime()],
    );
  } else if (store instanceof PgStore) {
    await store.client.unsafe(
      `insert into delivery_attempts (${columns}) values ('legacy-attempt', $1, $2, 502, 30, 'HTTP 502', 'bad gateway')`,
      [deliveryId, at.toISOString()],
    );
  }
}

for (const dialect of dialects) {
  describe(`Store endpoints and deliveries (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("endpoints are created, read, listed, updated and deleted", async () => {
      const created = await suite.store.endpoints.create(
        endpoint("https://a.example/hook", ["task.*"]),
        t0,
      );
      expect(created).toMatchObject({
        url: "https://a.example/hook",
        eventTypes: ["task.*"],
        enabled: true,
        disabledReason: null,
      });
      expect(await suite.store.endpoints.get(created.id)).toEqual(created);
      expect((await suite.store.endpoints.list()).map((e) => e.id)).toContain(created.id);
      const updated = await suite.store.endpoints.update(
        created.id,
        { enabled: false, eventTypes: ["*"] },
        later(1000),
      );
      expect(updated).toMatchObject({ enabled: false, eventTypes: ["*"], updatedAt: later(1000) });
      expect(await suite.store.endpoints.delete(created.id)).toBe(true);
      expect(await suite.store.endpoints.delete(created.id)).toBe(false);
      expect(await suite.store.endpoints.get(created.id)).toBeUndefined();
      expect(await suite.store.endpoints.update(created.id, { enabled: true }, t0)).toBeUndefined();
    });

    test("an event fans out to each enabled endpoint whose filters match, in its transaction", async () => {
      const match = await suite.store.endpoints.create(
        endpoint("https://match.example", ["order.*"]),
        t0,
      );
      const all = await suite.store.endpoints.create(endpoint("https://all.example", ["*"]), t0);
      await suite.store.endpoints.create(endpoint("https://other.example", ["user.created"]), t0);
      await suite.store.endpoints.create(endpoint("https://off.example", ["*"], false), t0);
      const result = await suite.store.events.record(event("order.paid"));
      if (result.status !== "stored") throw new Error("expected stored");
      expect(result.deliveries).toBe(2);
      const queued = await suite.store.deliveries.list({ eventId: result.event.id }, { limit: 10 });
      expect(queued.items.map((d) => d.endpointId).sort()).toEqual([match.id, all.id].sort());
      expect(queued.items.every((d) => d.status === "pending" && d.attemptCount === 0)).toBe(true);
      await suite.store.endpoints.delete(match.id);
      await suite.store.endpoints.delete(all.id);
    });

    describe("claiming and finishing", () => {
      let endpointId: string;
      let eventId: string;

      beforeAll(async () => {
        for (const e of await suite.store.endpoints.list())
          await suite.store.endpoints.delete(e.id);
        endpointId = (
          await suite.store.endpoints.create(endpoint("https://claim.example", ["*"]), t0)
        ).id;
        const result = await suite.store.events.record(event("claim.me"));
        if (result.status !== "stored") throw new Error("expected stored");
        eventId = result.event.id;
      });

      test("a due delivery is claimed with its event and endpoint, and not claimed again while leased", async () => {
        const [claimed, ...rest] = await suite.store.deliveries.claimDue(t0, 10, LEASE);
        expect(rest).toEqual([]);
        // Exactly what sending takes, dates included: the claim is hand-written SQL per
        // dialect, and the worker signs and sends from exactly these values.
        const recorded = (await suite.store.events.get(eventId)) as StoredEvent;
        expect(claimed?.event).toEqual({
          id: recorded.id,
          type: recorded.type,
          occurredAt: recorded.occurredAt,
          payload: recorded.payload,
        });
        const registered = (await suite.store.endpoints.get(endpointId)) as Endpoint;
        expect(claimed?.endpoint).toEqual({
          id: registered.id,
          url: registered.url,
          secret: registered.secret,
          previousSecret: null,
        });
        const delivery = (await suite.store.deliveries.get(claimed?.delivery.id ?? "")) as Delivery;
        expect(claimed?.delivery).toEqual({ id: delivery.id, attemptCount: 0 });
        expect(delivery.eventId).toBe(eventId);
        expect(claimed?.event.occurredAt).toBeInstanceOf(Date);
        expect(claimed?.event.payload).toMatchObject({ type: "claim.me" });
        expect(
          await suite.store.deliveries.claimDue(later(1000), 10, {
            ms: 30_000,
            holder: "worker-b",
          }),
        ).toEqual([]);
      });

      test("a lease that expired (its worker died) is taken over, and the old holder can no longer finish", async () => {
        const [taken] = await suite.store.deliveries.claimDue(later(31_000), 10, {
          ms: 30_000,
          holder: "worker-b",
        });
        expect(taken?.event.id).toBe(eventId);
        const attempt = {
          attemptedAt: later(31_500),
          statusCode: 200,
          durationMs: 12,
          error: null,
          responseBody: "ok",
          responseHeaders: null,
        };
        expect(
          await suite.store.deliveries.finishAttempts([
            {
              ...about(taken),
              holder: "worker-a",
              attempt,
              outcome: { status: "delivered" },
            },
          ]),
        ).toEqual([{ recorded: false }]);
        const retryAt = later(60_000);
        const failed = {
          attemptedAt: later(32_000),
          statusCode: 503,
          durationMs: 40,
          error: "HTTP 503",
          responseBody: "busy",
          responseHeaders: null,
        };
        expect(
          await suite.store.deliveries.finishAttempts([
            {
              ...about(taken),
              holder: "worker-b",
              attempt: failed,
              outcome: { status: "pending", nextAttemptAt: retryAt },
            },
          ]),
        ).toEqual([{ recorded: true }]);
        const after = await suite.store.deliveries.get(taken?.delivery.id ?? "");
        expect(after).toMatchObject({
          status: "pending",
          attemptCount: 1,
          nextAttemptAt: retryAt,
          lastStatusCode: 503,
          lastError: "HTTP 503",
        });
        expect(await suite.store.deliveries.nextDueAt()).toEqual(retryAt);
        expect(await suite.store.deliveries.claimDue(later(59_000), 10, LEASE)).toEqual([]);
      });

      test("delivered: the attempt log keeps every attempt in order", async () => {
        const [claimed] = await suite.store.deliveries.claimDue(later(60_000), 10, LEASE);
        const ok = {
          attemptedAt: later(60_100),
          statusCode: 204,
          durationMs: 9,
          error: null,
          responseBody: "",
          responseHeaders: null,
        };
        expect(
          await suite.store.deliveries.finishAttempts([
            {
              ...about(claimed),
              holder: LEASE.holder,
              attempt: ok,
              outcome: { status: "delivered" },
            },
          ]),
          // The 503 before it was its endpoint's one failure.
        ).toEqual([{ recorded: true, endpointRecovered: 1 }]);
        const delivery = await suite.store.deliveries.get(claimed?.delivery.id ?? "");
        expect(delivery).toMatchObject({
          status: "delivered",
          attemptCount: 2,
          deliveredAt: later(60_100),
          nextAttemptAt: null,
        });
        const attempts = await suite.store.deliveries.attempts(claimed?.delivery.id ?? "");
        expect(attempts.map((a) => a.statusCode)).toEqual([503, 204]);
        expect(attempts[0]).toMatchObject({
          durationMs: 40,
          error: "HTTP 503",
          responseBody: "busy",
          responseHeaders: null,
        });
      });

      test("a retry by hand makes it pending and due now with a fresh schedule", async () => {
        const [delivery] = (await suite.store.deliveries.list({ eventId }, { limit: 1 })).items;
        const retried = await suite.store.deliveries.retry(delivery?.id ?? "", later(70_000));
        expect(retried).toMatchObject({
          status: "pending",
          attemptCount: 0,
          nextAttemptAt: later(70_000),
        });
        expect(await suite.store.deliveries.retry("no-such-delivery", t0)).toBeUndefined();
      });

      test("a 410 fails the delivery and disables its endpoint, whose deliveries then wait", async () => {
        const [claimed] = await suite.store.deliveries.claimDue(later(70_000), 10, LEASE);
        const gone = {
          attemptedAt: later(70_010),
          statusCode: 410,
          durationMs: 5,
          error: "HTTP 410",
          responseBody: null,
          responseHeaders: null,
        };
        await suite.store.deliveries.finishAttempts([
          {
            ...about(claimed),
            holder: LEASE.holder,
            attempt: gone,
            outcome: { status: "failed" },
            disableEndpoint: "endpoint answered 410 Gone",
          },
        ]);
        expect(await suite.store.endpoints.get(endpointId)).toMatchObject({
          enabled: false,
          disabledReason: "endpoint answered 410 Gone",
        });
        expect((await suite.store.deliveries.get(claimed?.delivery.id ?? ""))?.status).toBe(
          "failed",
        );
        // The retry by hand started a fresh schedule; the log still holds every attempt.
        const attempts = await suite.store.deliveries.attempts(claimed?.delivery.id ?? "");
        expect(attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([
          [503, "busy"],
          [204, ""],
          [410, null],
        ]);
        expect(new Set(attempts.map((a) => a.id)).size).toBe(3);
        expect(attempts[2]).toEqual({
          id: expect.any(String),
          deliveryId: claimed?.delivery.id ?? "",
          ...gone,
        });
        await suite.store.deliveries.retry(claimed?.delivery.id ?? "", later(80_000));
        expect(await suite.store.deliveries.claimDue(later(80_000), 10, LEASE)).toEqual([]);
        await suite.store.endpoints.update(
          endpointId,
          { enabled: true, disabledReason: null },
          later(80_000),
        );
        expect(await suite.store.deliveries.claimDue(later(80_000), 10, LEASE)).toHaveLength(1);
      });

      test("stats count deliveries by status and give the oldest due time", async () => {
        const stats = await suite.store.deliveries.stats(later(90_000));
        expect(stats.byStatus.pending).toBeGreaterThanOrEqual(1);
        expect(stats.oldestDueAt).toEqual(later(80_000));
      });

      test("deliveries are listed newest first and filtered by status and endpoint", async () => {
        const page = await suite.store.deliveries.list(
          { endpointId, status: "pending" },
          { limit: 10 },
        );
        expect(page.items.every((d) => d.endpointId === endpointId && d.status === "pending")).toBe(
          true,
        );
        expect(page.next).toBeNull();
      });
    });

    test("a batch of finished attempts is recorded together, except those whose lease is gone", async () => {
      for (const e of await suite.store.endpoints.list()) await suite.store.endpoints.delete(e.id);
      const target = await suite.store.endpoints.create(
        endpoint("https://batch.example", ["batch.*"]),
        t0,
      );
      for (let i = 0; i < 3; i++) await suite.store.events.record(event("batch.go"));
      const [a, b, c] = await suite.store.deliveries.claimDue(later(200_000), 10, LEASE);
      const attempt = (statusCode: number) => ({
        attemptedAt: later(200_100),
        statusCode,
        durationMs: 3,
        error: statusCode < 300 ? null : `HTTP ${statusCode}`,
        responseBody: "",
        responseHeaders: null,
      });
      const retryAt = later(260_000);
      const results = await suite.store.deliveries.finishAttempts([
        {
          ...about(a),
          holder: LEASE.holder,
          attempt: attempt(200),
          outcome: { status: "delivered" },
        },
        {
          ...about(b),
          holder: "someone-else",
          attempt: attempt(200),
          outcome: { status: "delivered" },
        },
        {
          ...about(c),
          holder: LEASE.holder,
          attempt: attempt(500),
          outcome: { status: "pending", nextAttemptAt: retryAt },
        },
      ]);
      expect(results.map((r) => r.recorded)).toEqual([true, false, true]);
      const [first, second, third] = await Promise.all(
        [a, b, c].map((x) => suite.store.deliveries.get(x?.delivery.id ?? "")),
      );
      expect(first).toMatchObject({
        status: "delivered",
        attemptCount: 1,
        deliveredAt: later(200_100),
      });
      expect(second).toMatchObject({ status: "pending", attemptCount: 0 });
      expect(third).toMatchObject({
        status: "pending",
        attemptCount: 1,
        nextAttemptAt: retryAt,
        lastStatusCode: 500,
        lastError: "HTTP 500",
      });
      expect(await suite.store.deliveries.attempts(b?.delivery.id ?? "")).toEqual([]);
      expect(
        (await suite.store.deliveries.attempts(c?.delivery.id ?? "")).map((x) => x.statusCode),
      ).toEqual([500]);
      expect(await suite.store.deliveries.finishAttempts([])).toEqual([]);
      expect((await suite.store.endpoints.get(target.id))?.enabled).toBe(true);
    });

    test("an attempt recorded before the latest moved onto the delivery row (migration 0002) is still listed, and kept", async () => {
      for (const e of await suite.store.endpoints.list()) await suite.store.endpoints.delete(e.id);
      await suite.store.endpoints.create(endpoint("https://legacy.example", ["legacy.*"]), t0);
      await suite.store.events.record(event("legacy.go"));
      const [claimed] = await suite.store.deliveries.claimDue(later(300_000), 10, LEASE);
      const deliveryId = claimed?.delivery.id ?? "";
      // What an earlier hookyard wrote: the attempt in delivery_attempts, none on the row.
      await insertAttemptRow(suite.store, deliveryId, later(250_000));
      const ok = {
        attemptedAt: later(300_100),
        statusCode: 200,
        durationMs: 5,
        error: null,
        responseBody: "ok",
        responseHeaders: null,
      };
      expect(
        await suite.store.deliveries.finishAttempts([
          {
            ...about(claimed),
            holder: LEASE.holder,
            attempt: ok,
            outcome: { status: "delivered" },
          },
        ]),
      ).toEqual([{ recorded: true }]);
      const attempts = await suite.store.deliveries.attempts(deliveryId);
      expect(attempts.map((a) => [a.id, a.statusCode, a.error])).toEqual([
        ["legacy-attempt", 502, "HTTP 502"],
        [expect.any(String), 200, null],
      ]);
    });

    if (dialect === "postgres") {
      test("two instances claiming at once never take the same delivery", async () => {
        for (const e of await suite.store.endpoints.list())
          await suite.store.endpoints.delete(e.id);
        await suite.store.endpoints.create(endpoint("https://race.example", ["race.*"]), t0);
        for (let i = 0; i < 40; i++) await suite.store.events.record(event("race.go"));
        const other = await suite.database.openStore();
        try {
          const claims = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 === 0 ? suite.store : other).deliveries.claimDue(later(100_000), 7, {
                ms: 30_000,
                holder: `w${i}`,
              }),
            ),
          );
          const ids = claims.flat().map((c) => c.delivery.id);
          expect(ids).toHaveLength(40);
          expect(new Set(ids).size).toBe(40);
        } finally {
          await other.close();
        }
      });
    }
  });
}
