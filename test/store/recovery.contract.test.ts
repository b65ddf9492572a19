/** The Store contract for recovery (../../src/store/recovery.ts), on every dialect. */
import { describe, expect, test } from "bun:test";
import { matchesEventType } from "../../src/delivery/event-types.ts";
import { contentTestOf } from "../../src/recovery/endpoint-filter.ts";
import type { TimeCursor } from "../../src/store/cursor.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { PgStore } from "../../src/store/pg/index.ts";
import type { BatchResult } from "../../src/store/recovery.ts";
import type { SqliteStore } from "../../src/store/sqlite/index.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

/** Each test works in an hour of its own, so windows never see another test's rows. */
const hour = (n: number) => new Date(Date.UTC(2026, 10, 22, n));
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const event = (type: string, at: Date): NewEvent => ({
  source: "trigger",
  type,
  occurredAt: at,
  receivedAt: at,
  payload: { type },
  headers: {},
});

async function newEndpoint(store: Store, eventTypes: string[], enabled = true) {
  return store.endpoints.create(
    { url: "https://receiver.example/hook", description: "", secret: SECRET, eventTypes, enabled },
    hour(0),
  );
}

async function record(store: Store, type: string, at: Date): Promise<string> {
  return recordEvent(store, event(type, at));
}

async function recordEvent(store: Store, newEvent: NewEvent): Promise<string> {
  const result = await store.events.record(newEvent);
  if (result.status !== "stored") throw new Error("expected stored");
  return result.event.id;
}

/** An order of `amount` at `at`, with an `x-tier` header when `tier` is given. */
const order = (type: string, at: Date, amount: number, tier?: string): NewEvent => ({
  ...event(type, at),
  payload: { amount },
  headers: tier === undefined ? {} : { "x-tier": tier },
});

/** Takes orders of 100 or more from gold customers: a payload field and a header. */
const GOLD_OVER_100 = { amount: { $gte: 100 }, "headers.x-tier": "gold" };

/** Every batch until the end; the total queued and how many batches it took. */
async function allBatches(batch: (after: TimeCursor | undefined) => Promise<BatchResult>) {
  let queued = 0;
  let batches = 0;
  let after: TimeCursor | undefined;
  do {
    const result = await batch(after);
    queued += result.queued;
    batches++;
    after = result.next ?? undefined;
  } while (after);
  return { queued, batches };
}

/**
 * The rows of `deliveries` where `column` is `value`, read by hand: what the recovery
 * operations did, whatever the listing API makes of it.
 */
async function deliveryRows(store: Store, column: "endpoint_id" | "event_id", value: string) {
  const query = `select endpoint_id, event_id, status, attempt_count, next_attempt_at
    from deliveries where ${column} = $1 order by id`;
  const rows =
    store instanceof PgStore
      ? await store.client.unsafe(query, [value])
      : (store as SqliteStore).sqlite.query(query.replace("$1", "?")).all(value);
  return (rows as Record<string, unknown>[]).map((row) => ({
    endpointId: row.endpoint_id as string,
    eventId: row.event_id as string,
    status: row.status as string,
    attemptCount: Number(row.attempt_count),
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at as string),
  }));
}

/** Every delivery of the endpoint failed, as a worker whose attempts were spent leaves it. */
async function failAll(store: Store, endpointId: string): Promise<void> {
  const query = `update deliveries set status = 'failed', attempt_count = 3, next_attempt_at = null
    where endpoint_id = $1`;
  if (store instanceof PgStore) await store.client.unsafe(query, [endpointId]);
  else (store as SqliteStore).sqlite.run(query.replace("$1", "?"), [endpointId]);
}

for (const dialect of dialects) {
  describe(`Store recovery (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("the types a replay takes are those matchesEventType takes", async () => {
      const at = hour(1);
      const types = [
        "task.update",
        "task.update.deep",
        "task",
        "taskx.y",
        "Task.update",
        "github.push",
        "GitHub.push",
        "a_b.c",
        "axb.c",
        "a%b.c",
        "é.x",
        "😀.y",
        "hookyard.test",
        "hookyard.endpoint.disabled",
        "hookyardx.y",
      ];
      for (const type of types) await record(suite.store, type, at);
      const filterSets = [
        [],
        ["*"],
        ["task.*"],
        ["task.update"],
        ["a_b.*"],
        ["a%b.*"],
        ["GitHub.*"],
        ["é.*"],
        ["😀.*"],
        ["task.*", "github.push"],
        ["hookyard.*"],
        ["hookyard.endpoint.*"],
        ["*", "hookyard.test"],
      ];
      for (const filters of filterSets) {
        const endpoint = await newEndpoint(suite.store, filters, false);
        // Test events are never replayed (they were for the endpoint tested alone).
        const expected = types.filter(
          (type) => matchesEventType(filters, type) && type !== "hookyard.test",
        ).length;
        const window = { since: at, until: at };
        const counted = await suite.store.recovery.countMissing(endpoint.id, filters, window);
        expect({ filters, counted }).toEqual({ filters, counted: expected });
        const { queued } = await allBatches((after) =>
          suite.store.recovery.queueMissing(endpoint.id, filters, window, at, { limit: 3, after }),
        );
        expect({ filters, queued }).toEqual({ filters, queued: expected });
        await suite.store.endpoints.delete(endpoint.id);
      }
    });

    test("failed deliveries created at one instant are all requeued, a batch at a time", async () => {
      const at = hour(2);
      const endpoint = await newEndpoint(suite.store, ["tie.*"]);
      for (let i = 0; i < 5; i++) await record(suite.store, "tie.made", at);
      await failAll(suite.store, endpoint.id);
      const window = { since: at, until: at };
      expect(await suite.store.recovery.countFailed(endpoint.id, window)).toBe(5);

      const now = hour(3);
      const { queued, batches } = await allBatches((after) =>
        suite.store.recovery.requeueFailed(endpoint.id, window, now, { limit: 2, after }),
      );
      expect({ queued, batches }).toEqual({ queued: 5, batches: 3 });
      const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
      expect(rows.map((d) => [d.status, d.attemptCount, d.nextAttemptAt])).toEqual(
        Array(5).fill(["pending", 0, now]),
      );
      expect(await suite.store.recovery.countFailed(endpoint.id, window)).toBe(0);
      await suite.store.endpoints.delete(endpoint.id);
    });

    test("requeueing counts only what it queued: pending and delivered ones stay as they are", async () => {
      const at = hour(4);
      const endpoint = await newEndpoint(suite.store, ["mixed.*"]);
      await record(suite.store, "mixed.one", at);
      await failAll(suite.store, endpoint.id);
      await record(suite.store, "mixed.two", at);
      const window = { since: at };
      const result = await suite.store.recovery.requeueFailed(endpoint.id, window, at, {
        limit: 10,
      });
      expect(result).toEqual({ queued: 1, next: null });
      const other = await newEndpoint(suite.store, ["*"]);
      expect(await suite.store.recovery.countFailed(other.id, window)).toBe(0);
      await suite.store.endpoints.delete(endpoint.id);
      await suite.store.endpoints.delete(other.id);
    });

    test("a requeue with an event type queues only that type's failed deliveries, exact or by prefix", async () => {
      const at = hour(12);
      const endpoint = await newEndpoint(suite.store, ["*"]);
      for (const type of ["typed.one", "typed.two", "typedx.one", "other.one"]) {
        await record(suite.store, type, at);
      }
      await failAll(suite.store, endpoint.id);
      const window = { since: at, until: at };
      const requeue = (type: string) =>
        allBatches((after) =>
          suite.store.recovery.requeueFailed(endpoint.id, window, at, { limit: 1, after }, type),
        );
      expect((await requeue("typed.*")).queued).toBe(2);
      expect((await requeue("typed.*")).queued).toBe(0);
      expect((await requeue("other.one")).queued).toBe(1);
      const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
      expect(rows.filter((d) => d.status === "failed")).toHaveLength(1);
      await suite.store.endpoints.delete(endpoint.id);
    });

    test("failed deliveries are counted per endpoint by endpoint, type and time", async () => {
      const at = hour(13);
      const later = new Date(at.getTime() + 60_000);
      const a = await newEndpoint(suite.store, ["count.*"]);
      const b = await newEndpoint(suite.store, ["count.*"]);
      await record(suite.store, "count.one", at);
      await record(suite.store, "count.two", later);
      await failAll(suite.store, a.id);
      await failAll(suite.store, b.id);
      // A pending delivery is not a failure.
      await record(suite.store, "count.one", later);
      const counts = (filter: Parameters<typeof suite.store.recovery.countFailedByEndpoint>[0]) =>
        suite.store.recovery
          .countFailedByEndpoint({ since: at, until: later, ...filter })
          .then((map) => Object.fromEntries(map));
      expect(await counts({})).toEqual({ [a.id]: 2, [b.id]: 2 });
      expect(await counts({ endpointId: b.id })).toEqual({ [b.id]: 2 });
      expect(await counts({ eventType: "count.two" })).toEqual({ [a.id]: 1, [b.id]: 1 });
      expect(await counts({ eventType: "count.*", until: at })).toEqual({ [a.id]: 1, [b.id]: 1 });
      expect(await counts({ eventType: "counted.*" })).toEqual({});
      await suite.store.endpoints.delete(a.id);
      await suite.store.endpoints.delete(b.id);
    });

    test("event types are looked up by id, and an unknown id is left out", async () => {
      const at = hour(14);
      const one = await record(suite.store, "lookup.one", at);
      const two = await record(suite.store, "lookup.two", at);
      const types = await suite.store.recovery.eventTypesOf([one, two, one, "gone-event"]);
      expect(Object.fromEntries(types)).toEqual({ [one]: "lookup.one", [two]: "lookup.two" });
      expect((await suite.store.recovery.eventTypesOf([])).size).toBe(0);
    });

    test("events received at one instant are all replayed, a batch at a time, and only once", async () => {
      const at = hour(5);
      for (let i = 0; i < 5; i++) await record(suite.store, "replay.made", at);
      const endpoint = await newEndpoint(suite.store, ["replay.*"]);
      const window = { since: at, until: at };
      expect(await suite.store.recovery.countMissing(endpoint.id, ["replay.*"], window)).toBe(5);
      const replay = () =>
        allBatches((after) =>
          suite.store.recovery.queueMissing(endpoint.id, ["replay.*"], window, hour(6), {
            limit: 2,
            after,
          }),
        );
      expect((await replay()).queued).toBe(5);
      expect((await replay()).queued).toBe(0);
      expect(await suite.store.recovery.countMissing(endpoint.id, ["replay.*"], window)).toBe(0);
      await suite.store.endpoints.delete(endpoint.id);
    });

    test("two replays of one endpoint at once queue each event once", async () => {
      const at = hour(7);
      for (let i = 0; i < 20; i++) await record(suite.store, "race.made", at);
      const endpoint = await newEndpoint(suite.store, ["race.*"]);
      const window = { since: at, until: at };
      const replay = () =>
        allBatches((after) =>
          suite.store.recovery.queueMissing(endpoint.id, ["race.*"], window, at, {
            limit: 1,
            after,
          }),
        );
      const [a, b] = await Promise.all([replay(), replay()]);
      expect(a.queued + b.queued).toBe(20);
      const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
      expect(new Set(rows.map((d) => d.eventId)).size).toBe(20);
      expect(rows).toHaveLength(20);
      await suite.store.endpoints.delete(endpoint.id);
    });

    test("hookyard's own events about an endpoint are never replayed to it", async () => {
      const at = hour(11);
      const endpoint = await newEndpoint(suite.store, ["hookyard.*", "about.*"], false);
      const news = (about: string): NewEvent => ({
        ...event("hookyard.endpoint.disabled", at),
        payload: { endpoint: { id: about, url: "https://receiver.example/hook" } },
      });
      for (const payload of [news(endpoint.id), news("another-endpoint")]) {
        const result = await suite.store.events.record(payload);
        expect(result.status).toBe("stored");
      }
      // A test event was for the endpoint it tested alone, whichever that was.
      await suite.store.events.record({
        ...event("hookyard.test", at),
        payload: { endpoint: { id: "another-endpoint" } },
      });
      // An ordinary event may say anything in its payload.
      await suite.store.events.record({
        ...event("about.me", at),
        payload: { endpoint: { id: endpoint.id } },
      });
      const window = { since: at, until: at };
      const filters = ["hookyard.*", "about.*"];
      expect(await suite.store.recovery.countMissing(endpoint.id, filters, window)).toBe(2);
      const result = await suite.store.recovery.queueMissing(endpoint.id, filters, window, at, {
        limit: 10,
      });
      expect(result.queued).toBe(2);
      await suite.store.endpoints.delete(endpoint.id);
    });

    describe("a replay for an endpoint with a payload filter", () => {
      test("counts and queues only the events its filter takes, a batch at a time, and only once", async () => {
        const start = hour(15).getTime();
        const second = (n: number) => new Date(start + n * 1000);
        // Each with whether the filter takes it.
        const received: [NewEvent, boolean][] = [
          [order("filt.order", second(0), 10, "gold"), false], // amount too small
          [order("filt.order", second(1), 500, "silver"), false], // another tier
          [order("filt.order", second(2), 500, "gold"), true],
          [order("other.order", second(3), 500, "gold"), false], // a type it does not take
          [order("filt.order", second(4), 100, "gold"), true],
          [order("filt.order", second(5), 700), false], // no header
          [order("filt.order", second(6), 700, "gold"), true],
        ];
        const taken: string[] = [];
        for (const [newEvent, isTaken] of received) {
          const id = await recordEvent(suite.store, newEvent);
          if (isTaken) taken.push(id);
        }
        const endpoint = await suite.store.endpoints.create(
          {
            url: "https://receiver.example/hook",
            description: "",
            secret: SECRET,
            eventTypes: ["filt.*"],
            filter: GOLD_OVER_100,
            enabled: true,
          },
          hour(0),
        );
        // Fanned out to it when received (delivered already), and refused when received.
        const fannedOut = await recordEvent(
          suite.store,
          order("filt.order", second(7), 900, "gold"),
        );
        await recordEvent(suite.store, order("filt.order", second(8), 1, "gold"));
        const takes = contentTestOf(endpoint);
        if (!takes) throw new Error("expected a filter");
        const window = { since: second(0), until: second(8) };
        const types = endpoint.eventTypes;

        expect(await suite.store.recovery.countMissing(endpoint.id, types, window, takes)).toBe(3);
        // Every event of its types without the filter: four more, which it refuses.
        expect(await suite.store.recovery.countMissing(endpoint.id, types, window)).toBe(7);

        const queue = (after: TimeCursor | undefined) =>
          suite.store.recovery.queueMissing(
            endpoint.id,
            types,
            window,
            hour(16),
            { limit: 2, after },
            takes,
          );
        // The first two events read are refused: nothing queued, and the scan goes on.
        const first = await queue(undefined);
        expect(first.queued).toBe(0);
        expect(first.next).not.toBeNull();
        const rest = await allBatches(async (after) => queue(after ?? first.next ?? undefined));
        expect(rest.queued).toBe(3);
        const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
        expect(rows.map((d) => d.eventId).sort()).toEqual([...taken, fannedOut].sort());

        expect((await allBatches(queue)).queued).toBe(0);
        expect(await suite.store.recovery.countMissing(endpoint.id, types, window, takes)).toBe(0);
        await suite.store.endpoints.delete(endpoint.id);
      });

      test("a stored filter that no longer parses takes none but hookyard's own events", async () => {
        const at = hour(17);
        await recordEvent(suite.store, order("broken.order", at, 500, "gold"));
        await recordEvent(suite.store, order("broken.order", at, 5));
        const news = await recordEvent(suite.store, {
          ...event("hookyard.endpoint.disabled", at),
          payload: { endpoint: { id: "another-endpoint" } },
        });
        // An unknown operator: the API refuses it now, and one stored before stays as it was.
        const endpoint = await suite.store.endpoints.create(
          {
            url: "https://receiver.example/hook",
            description: "",
            secret: SECRET,
            eventTypes: ["broken.*", "hookyard.*"],
            filter: { amount: { $gtt: 1 } },
            enabled: false,
          },
          hour(0),
        );
        const takes = contentTestOf(endpoint);
        if (!takes) throw new Error("expected a filter");
        const window = { since: at, until: at };
        const types = endpoint.eventTypes;
        expect(await suite.store.recovery.countMissing(endpoint.id, types, window, takes)).toBe(1);
        const result = await suite.store.recovery.queueMissing(
          endpoint.id,
          types,
          window,
          at,
          { limit: 10 },
          takes,
        );
        expect(result).toEqual({ queued: 1, next: null });
        const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
        expect(rows.map((d) => d.eventId)).toEqual([news]);
        await suite.store.endpoints.delete(endpoint.id);
      });

      test("two at once queue each event it takes once", async () => {
        const at = hour(18);
        for (let i = 0; i < 20; i++) {
          await recordEvent(suite.store, order("filtrace.order", at, i * 10, "gold"));
        }
        const endpoint = await suite.store.endpoints.create(
          {
            url: "https://receiver.example/hook",
            description: "",
            secret: SECRET,
            eventTypes: ["filtrace.*"],
            filter: GOLD_OVER_100,
            enabled: true,
          },
          hour(0),
        );
        const takes = contentTestOf(endpoint);
        const window = { since: at, until: at };
        const replay = () =>
          allBatches((after) =>
            suite.store.recovery.queueMissing(
              endpoint.id,
              endpoint.eventTypes,
              window,
              at,
              { limit: 1, after },
              takes,
            ),
          );
        const [a, b] = await Promise.all([replay(), replay()]);
        // Amounts 100 to 190.
        expect(a.queued + b.queued).toBe(10);
        const rows = await deliveryRows(suite.store, "endpoint_id", endpoint.id);
        expect(rows).toHaveLength(10);
        expect(new Set(rows.map((d) => d.eventId)).size).toBe(10);
        await suite.store.endpoints.delete(endpoint.id);
      });
    });

    test("a resend queues one delivery per enabled endpoint still there", async () => {
      const at = hour(8);
      const on = await newEndpoint(suite.store, ["nothing"]);
      const off = await newEndpoint(suite.store, ["nothing"], false);
      const eventId = await record(suite.store, "resend.me", at);
      expect(
        await suite.store.recovery.resend(eventId, [on.id, off.id, "gone-endpoint"], hour(9)),
      ).toBe(1);
      expect(await suite.store.recovery.resend("gone-event", [on.id], hour(9))).toBe(0);
      const rows = await deliveryRows(suite.store, "event_id", eventId);
      expect(rows.map((d) => [d.endpointId, d.status, d.nextAttemptAt])).toEqual([
        [on.id, "pending", hour(9)],
      ]);
      await suite.store.endpoints.delete(on.id);
      await suite.store.endpoints.delete(off.id);
    });

    test("a leased delivery is stored with its event, to that endpoint only, and no worker claims it", async () => {
      const at = hour(10);
      const target = await newEndpoint(suite.store, ["nothing.like.it"]);
      const bystander = await newEndpoint(suite.store, ["*"]);
      const lease = { until: new Date(at.getTime() + 30_000), holder: "tester" };
      const claimed = await suite.store.recovery.recordLeased(
        event("hookyard.test", at),
        target.id,
        lease,
      );
      if (!claimed) throw new Error("expected a leased delivery");
      // As a claim answers it (and with whatever else a claim carries for signing).
      expect(claimed.delivery.attemptCount).toBe(0);
      expect(claimed.event).toEqual({
        id: claimed.event.id,
        type: "hookyard.test",
        occurredAt: at,
        payload: { type: "hookyard.test" },
      });
      expect([claimed.endpoint.id, claimed.endpoint.url, claimed.endpoint.secret]).toEqual([
        target.id,
        target.url,
        target.secret,
      ]);
      const rows = await deliveryRows(suite.store, "event_id", claimed.event.id);
      expect(rows.map((d) => [d.endpointId, d.status])).toEqual([[target.id, "pending"]]);
      expect(
        await suite.store.deliveries.claimDue(at, 100, { ms: 1_000, holder: "worker" }),
      ).toEqual([]);

      expect(
        await suite.store.recovery.recordLeased(event("hookyard.test", at), "gone", lease),
      ).toBeUndefined();
      const tests = await suite.store.events.list(
        { type: "hookyard.test", since: at, until: at },
        { limit: 10 },
      );
      expect(tests.items).toHaveLength(1);
      await suite.store.endpoints.delete(target.id);
      await suite.store.endpoints.delete(bystander.id);
    });
  });
}
