/**
 * The Store contract for endpoint health, on every dialect: what recording attempts does
 * to an endpoint (failures counted, auto-disable, recovery), the operational events it
 * stores and to whom they go, and the health read for a list of endpoints.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import { GONE_REASON } from "../../src/delivery/deliver.ts";
import type {
  AttemptOutcome,
  ClaimedDelivery,
  FinishedAttempt,
  NewAttempt,
} from "../../src/store/deliveries.ts";
import type { NewEvent, StoredEvent } from "../../src/store/events.ts";
import type { HealthPolicy } from "../../src/store/health-changes.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-11-22T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEASE = { ms: 30_000, holder: "worker-a" };
/** A failed attempt's retry: far enough that no test's claims take it. */
const RETRY_MS = 365 * DAY;

const event = (type: string, receivedAt = t0): NewEvent => ({
  source: "trigger",
  type,
  occurredAt: receivedAt,
  receivedAt,
  payload: { type },
  headers: {},
});

const endpoint = (url: string, eventTypes: string[]) => ({
  url,
  description: "",
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  eventTypes,
  enabled: true,
});

/** How a test attempt ends: a 2xx, a failure with retries left, the last failure, a 410. */
type Result = "ok" | "fail" | "last" | "gone";

function finished(claimed: ClaimedDelivery, result: Result, attemptedAt: Date): FinishedAttempt {
  const statusCode = result === "ok" ? 200 : result === "gone" ? 410 : 500;
  const attempt: NewAttempt = {
    attemptedAt,
    statusCode,
    durationMs: 4,
    error: result === "ok" ? null : `HTTP ${statusCode}`,
    responseBody: "",
    responseHeaders: { "content-type": "text/plain" },
  };
  const outcome: AttemptOutcome =
    result === "ok"
      ? { status: "delivered" }
      : result === "fail"
        ? { status: "pending", nextAttemptAt: new Date(attemptedAt.getTime() + RETRY_MS) }
        : { status: "failed" };
  return {
    deliveryId: claimed.delivery.id,
    endpointId: claimed.endpoint.id,
    eventId: claimed.event.id,
    eventType: claimed.event.type,
    holder: LEASE.holder,
    attempt,
    outcome,
    ...(result === "gone" ? { disableEndpoint: GONE_REASON } : {}),
  };
}

/**
 * Queues one event of `type` per result, claims what is due at `when` and records the
 * attempts to `endpointId` as one batch, 1 ms apart, in the order of `results`.
 */
async function attempts(
  store: Store,
  endpointId: string,
  type: string,
  results: readonly Result[],
  when: Date,
  policy: HealthPolicy = {},
) {
  for (const _ of results) await store.events.record(event(type, new Date(when.getTime() - 1)));
  const claimed = (await store.deliveries.claimDue(when, 500, LEASE)).filter(
    (c) => c.endpoint.id === endpointId,
  );
  expect(claimed).toHaveLength(results.length);
  const batch = claimed.map((c, i) =>
    finished(c, results[i] as Result, new Date(when.getTime() + i)),
  );
  return { claimed, recorded: await store.deliveries.finishAttempts(batch, policy) };
}

async function health(store: Store, endpointId: string, since = t0) {
  const found = (await store.endpointHealth.forEndpoints([endpointId], since)).get(endpointId);
  if (!found) throw new Error(`no health for ${endpointId}`);
  return found;
}

async function operationalEvents(store: Store): Promise<StoredEvent[]> {
  const page = await store.events.list({ source: "hookyard" }, { limit: 100 });
  return [...page.items].reverse();
}

async function receiversOf(store: Store, eventId: string): Promise<string[]> {
  const page = await store.deliveries.list({ eventId }, { limit: 100 });
  return page.items.map((d) => d.endpointId).sort();
}

for (const dialect of dialects) {
  describe(`Store endpoint health (${dialect})`, () => {
    const suite = storeForSuite(dialect);
    /** Each test's own window of time, far from the others', so that claims only see its work. */
    let clock = 0;
    const later = (ms = 0) => at(clock + ms);

    beforeEach(async () => {
      for (const e of await suite.store.endpoints.list()) await suite.store.endpoints.delete(e.id);
      await suite.store.retention.deleteEventsBefore(at(100 * 365 * DAY), 100_000);
      clock += 30 * DAY;
    });

    test("hookyard's own event types go only to endpoints that name them, not to * or no filter", async () => {
      const store = suite.store;
      await store.endpoints.create(endpoint("https://all.example", ["*"]), t0);
      await store.endpoints.create(endpoint("https://none.example", []), t0);
      const ops = await store.endpoints.create(endpoint("https://ops.example", ["hookyard.*"]), t0);
      const exact = await store.endpoints.create(
        endpoint("https://exact.example", ["hookyard.endpoint.disabled"]),
        t0,
      );
      const recorded = await store.events.record(event("hookyard.endpoint.disabled"));
      if (recorded.status !== "stored") throw new Error("expected stored");
      expect(await receiversOf(store, recorded.event.id)).toEqual([ops.id, exact.id].sort());
      // An ordinary type whose name only starts the same way is ordinary.
      const lookalike = await store.events.record(event("hookyardx.thing"));
      expect(lookalike.status === "stored" && lookalike.deliveries).toBe(2);
    });

    test("failures are counted; a success ends them, announced to subscribers but not to the endpoint itself", async () => {
      const store = suite.store;
      // It subscribes to hookyard's events too: it must still not hear about itself.
      const failing = await store.endpoints.create(
        endpoint("https://failing.example/in", ["f.*", "hookyard.*"]),
        t0,
      );
      const watcher = await store.endpoints.create(
        endpoint("https://watcher.example", ["hookyard.*"]),
        t0,
      );
      await attempts(store, failing.id, "f.x", ["fail", "fail", "fail"], later());
      expect(await health(store, failing.id)).toMatchObject({
        enabled: true,
        consecutiveFailures: 3,
        failingSince: later(),
        lastAttemptAt: later(2),
        lastStatusCode: 500,
      });
      expect(await operationalEvents(store)).toEqual([]);

      const { claimed, recorded } = await attempts(store, failing.id, "f.x", ["ok"], later(HOUR));
      expect(recorded).toEqual([{ recorded: true, endpointRecovered: 3 }]);
      expect(await health(store, failing.id)).toMatchObject({
        consecutiveFailures: 0,
        failingSince: null,
        lastAttemptAt: later(HOUR),
        lastStatusCode: 200,
      });
      const [notice, ...others] = await operationalEvents(store);
      expect(others).toEqual([]);
      expect(notice).toMatchObject({
        source: "hookyard",
        type: "hookyard.endpoint.recovered",
        occurredAt: later(HOUR),
        receivedAt: later(HOUR),
        payload: {
          endpoint: { id: failing.id, url: "https://failing.example/in" },
          recovered_at: later(HOUR).toISOString(),
          failed_attempts: 3,
          failing_since: later().toISOString(),
          delivery_id: claimed[0]?.delivery.id,
          event_id: claimed[0]?.event.id,
          status_code: 200,
        },
      });
      expect(await receiversOf(store, notice?.id ?? "")).toEqual([watcher.id]);
      // Due at once: the workers pick it up like any delivery.
      const queued = await store.deliveries.claimDue(later(HOUR + 1), 10, LEASE);
      expect(queued.map((c) => c.event.type)).toEqual(["hookyard.endpoint.recovered"]);
    });

    test("within one batch, failures then a success are a recovery, and failures after it start a new streak", async () => {
      const store = suite.store;
      const flaky = await store.endpoints.create(endpoint("https://flaky.example", ["k.*"]), t0);
      const { claimed, recorded } = await attempts(
        store,
        flaky.id,
        "k.x",
        ["fail", "fail", "ok", "fail"],
        later(),
      );
      expect(recorded.map((r) => r.endpointRecovered)).toEqual([
        undefined,
        undefined,
        2,
        undefined,
      ]);
      expect(await health(store, flaky.id)).toMatchObject({
        consecutiveFailures: 1,
        failingSince: later(3),
        lastStatusCode: 500,
      });
      const [notice] = await operationalEvents(store);
      expect(notice?.payload).toMatchObject({
        failed_attempts: 2,
        failing_since: later().toISOString(),
        delivery_id: claimed[2]?.delivery.id,
      });
    });

    test("a delivery whose last attempt fails is announced; one carrying hookyard's own event is not", async () => {
      const store = suite.store;
      const failing = await store.endpoints.create(endpoint("https://x.example/h", ["x.*"]), t0);
      const watcher = await store.endpoints.create(
        endpoint("https://watcher.example", ["hookyard.delivery.exhausted"]),
        t0,
      );
      const { claimed } = await attempts(store, failing.id, "x.paid", ["last"], later());
      const [notice] = await operationalEvents(store);
      expect(notice).toMatchObject({
        type: "hookyard.delivery.exhausted",
        payload: {
          endpoint: { id: failing.id, url: "https://x.example/h" },
          delivery_id: claimed[0]?.delivery.id,
          event_id: claimed[0]?.event.id,
          event_type: "x.paid",
          attempts: 1,
          last_status_code: 500,
          last_error: "HTTP 500",
          failed_at: later().toISOString(),
        },
      });
      expect(await receiversOf(store, notice?.id ?? "")).toEqual([watcher.id]);

      // The watcher fails that delivery for good too: nothing more is announced, or two
      // failing endpoints that watch each other would feed each other forever.
      const [toWatcher] = await store.deliveries.claimDue(later(1000), 10, LEASE);
      expect(toWatcher?.endpoint.id).toBe(watcher.id);
      await store.deliveries.finishAttempts([
        finished(toWatcher as ClaimedDelivery, "last", later(1000)),
      ]);
      expect((await operationalEvents(store)).map((e) => e.type)).toEqual([
        "hookyard.delivery.exhausted",
      ]);
      expect(await health(store, watcher.id)).toMatchObject({ consecutiveFailures: 1 });
    });

    test("a 410 disables the endpoint once, announced with its cause", async () => {
      const store = suite.store;
      const gone = await store.endpoints.create(endpoint("https://gone.example", ["g.*"]), t0);
      const watcher = await store.endpoints.create(
        endpoint("https://w.example", ["hookyard.*"]),
        t0,
      );
      const { claimed, recorded } = await attempts(
        store,
        gone.id,
        "g.x",
        ["gone", "gone"],
        later(),
      );
      expect(recorded).toEqual([
        { recorded: true, endpointDisabled: GONE_REASON },
        { recorded: true },
      ]);
      expect(await store.endpoints.get(gone.id)).toMatchObject({
        enabled: false,
        disabledReason: GONE_REASON,
        updatedAt: later(),
      });
      const notices = await operationalEvents(store);
      expect(notices.map((e) => [e.type, e.payload])).toEqual([
        [
          "hookyard.endpoint.disabled",
          {
            endpoint: { id: gone.id, url: "https://gone.example" },
            reason: GONE_REASON,
            cause: "gone",
            disabled_at: later().toISOString(),
            consecutive_failures: 2,
            failing_since: later().toISOString(),
            delivery_id: claimed[0]?.delivery.id,
            event_id: claimed[0]?.event.id,
            status_code: 410,
          },
        ],
      ]);
      expect(await receiversOf(store, notices[0]?.id ?? "")).toEqual([watcher.id]);
      expect(await health(store, gone.id)).toMatchObject({ enabled: false });
    });

    test("an endpoint whose attempts all failed for ENDPOINT_DISABLE_AFTER is disabled by the failure that shows it", async () => {
      const store = suite.store;
      const policy = { disableAfterMs: 5 * DAY };
      const down = await store.endpoints.create(endpoint("https://down.example", ["d.*"]), t0);
      await attempts(store, down.id, "d.x", ["fail"], later(), policy);
      await attempts(store, down.id, "d.x", ["fail"], later(5 * DAY - 1), policy);
      expect((await store.endpoints.get(down.id))?.enabled).toBe(true);

      const { claimed, recorded } = await attempts(
        store,
        down.id,
        "d.x",
        ["fail"],
        later(5 * DAY),
        policy,
      );
      const reason = `every delivery failed for 5d (since ${later().toISOString()})`;
      expect(recorded).toEqual([{ recorded: true, endpointDisabled: reason }]);
      expect(await store.endpoints.get(down.id)).toMatchObject({
        enabled: false,
        disabledReason: reason,
      });
      const [notice] = await operationalEvents(store);
      expect(notice?.payload).toEqual({
        endpoint: { id: down.id, url: "https://down.example" },
        reason,
        cause: "failing",
        disabled_at: later(5 * DAY).toISOString(),
        consecutive_failures: 3,
        failing_since: later().toISOString(),
        delivery_id: claimed[0]?.delivery.id,
        event_id: claimed[0]?.event.id,
        status_code: 500,
      });

      // Enabled again by hand, it gets the whole delay again from then.
      await store.endpoints.update(
        down.id,
        { enabled: true, disabledReason: null },
        later(6 * DAY),
      );
      expect(await health(store, down.id)).toMatchObject({
        consecutiveFailures: 3,
        failingSince: later(6 * DAY),
      });
      await attempts(store, down.id, "d.x", ["fail"], later(6 * DAY + HOUR), policy);
      expect((await store.endpoints.get(down.id))?.enabled).toBe(true);
    });

    test("without ENDPOINT_DISABLE_AFTER, failing for days disables nothing", async () => {
      const store = suite.store;
      const down = await store.endpoints.create(endpoint("https://down.example", ["n.*"]), t0);
      await attempts(store, down.id, "n.x", ["fail"], later());
      await attempts(store, down.id, "n.x", ["fail"], later(30 * DAY - 1));
      expect(await health(store, down.id)).toMatchObject({ enabled: true, consecutiveFailures: 2 });
      expect(await operationalEvents(store)).toEqual([]);
    });

    test("a healthy endpoint's last attempt is written when its status changes, else at most once a second", async () => {
      const store = suite.store;
      const fine = await store.endpoints.create(endpoint("https://fine.example", ["h.*"]), t0);
      await attempts(store, fine.id, "h.x", ["ok"], later());
      await attempts(store, fine.id, "h.x", ["ok"], later(999));
      expect(await health(store, fine.id)).toMatchObject({
        lastAttemptAt: later(),
        lastStatusCode: 200,
      });
      await attempts(store, fine.id, "h.x", ["ok"], later(1000));
      expect(await health(store, fine.id)).toMatchObject({ lastAttemptAt: later(1000) });
      await attempts(store, fine.id, "h.x", ["fail"], later(1100));
      expect(await health(store, fine.id)).toMatchObject({
        lastAttemptAt: later(1100),
        lastStatusCode: 500,
        consecutiveFailures: 1,
      });
    });

    test("deliveries created since the window's start are counted by status, retrying ones apart", async () => {
      const store = suite.store;
      const counted = await store.endpoints.create(endpoint("https://c.example", ["c.*"]), t0);
      const quiet = await store.endpoints.create(endpoint("https://q.example", ["q.*"]), t0);
      await attempts(store, counted.id, "c.x", ["ok"], later());
      await attempts(store, counted.id, "c.x", ["ok", "ok", "last", "fail"], later(HOUR));
      await store.events.record(event("c.x", later(-1000)));
      await store.events.record(event("c.x", later(2 * HOUR)));
      const found = await store.endpointHealth.forEndpoints(
        [counted.id, quiet.id, "no-such-endpoint"],
        later(-1),
      );
      expect([...found.keys()].sort()).toEqual([counted.id, quiet.id].sort());
      expect(found.get(counted.id)?.recent).toEqual({
        delivered: 3,
        failed: 1,
        pending: 2,
        retrying: 1,
      });
      expect(found.get(quiet.id)).toMatchObject({
        recent: { delivered: 0, failed: 0, pending: 0, retrying: 0 },
        consecutiveFailures: 0,
        lastAttemptAt: null,
        lastStatusCode: null,
      });
      expect(await store.endpointHealth.forEndpoints([], t0)).toEqual(new Map());
    });

    test("each attempt keeps its response headers, on the row and once replaced", async () => {
      const store = suite.store;
      const target = await store.endpoints.create(endpoint("https://r.example", ["r.*"]), t0);
      const { claimed } = await attempts(store, target.id, "r.x", ["fail"], later());
      const [again] = await store.deliveries.claimDue(later(RETRY_MS), 10, LEASE);
      const retry = finished(again as ClaimedDelivery, "ok", later(RETRY_MS));
      await store.deliveries.finishAttempts([
        { ...retry, attempt: { ...retry.attempt, responseHeaders: { "x-request-id": "r2" } } },
      ]);
      const log = await store.deliveries.attempts(claimed[0]?.delivery.id ?? "");
      expect(log.map((a) => a.responseHeaders)).toEqual([
        { "content-type": "text/plain" },
        { "x-request-id": "r2" },
      ]);
    });

    test("a rotated-out secret is claimed beside the new one until its overlap ends", async () => {
      const store = suite.store;
      const target = await store.endpoints.create(endpoint("https://s.example", ["s.*"]), t0);
      const newSecret = "whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQ=";
      const rotated = await store.endpoints.rotateSecret(
        target.id,
        newSecret,
        later(HOUR),
        later(),
      );
      expect(rotated).toMatchObject({ secret: newSecret, previousSecretUntil: later(HOUR) });
      await store.events.record(event("s.x", later()));
      const [during] = await store.deliveries.claimDue(later(HOUR - 1), 10, LEASE);
      expect(during?.endpoint).toMatchObject({
        secret: newSecret,
        previousSecret: target.secret,
      });
      await store.events.record(event("s.x", later()));
      const [after] = await store.deliveries.claimDue(later(HOUR), 10, LEASE);
      expect(after?.endpoint).toMatchObject({ secret: newSecret, previousSecret: null });
      expect(
        await store.endpoints.rotateSecret("no-such-endpoint", newSecret, t0, t0),
      ).toBeUndefined();
    });

    if (dialect === "postgres") {
      test("instances recording attempts to the same endpoints at once neither deadlock nor lose a failure", async () => {
        const store = suite.store;
        const one = await store.endpoints.create(endpoint("https://one.example", ["p.*"]), t0);
        const two = await store.endpoints.create(endpoint("https://two.example", ["p.*"]), t0);
        for (let i = 0; i < 20; i++) await store.events.record(event("p.x", later(-1)));
        const claimed = await store.deliveries.claimDue(later(), 100, LEASE);
        expect(claimed).toHaveLength(40);
        // Batches that name both endpoints, half of them in the other order.
        const batches = Array.from({ length: 10 }, (_, b) => {
          const items = claimed.slice(b * 4, b * 4 + 4).map((c) => finished(c, "fail", later(b)));
          return b % 2 === 0 ? items : items.reverse();
        });
        const results = await Promise.all(
          batches.map((batch) => store.deliveries.finishAttempts(batch)),
        );
        expect(results.flat().every((r) => r.recorded)).toBe(true);
        const found = await store.endpointHealth.forEndpoints([one.id, two.id], t0);
        expect(
          (found.get(one.id)?.consecutiveFailures ?? 0) +
            (found.get(two.id)?.consecutiveFailures ?? 0),
        ).toBe(40);
      });
    }
  });
}
