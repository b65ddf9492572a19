/**
 * The Store contract for the dashboard's charts, on every dialect: events counted by source
 * and minute received, an endpoint's deliveries by outcome and minute created, each within
 * its window and nothing outside it.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import type { MinuteCount } from "../../src/store/charts.ts";
import type {
  AttemptOutcome,
  ClaimedDelivery,
  FinishedAttempt,
} from "../../src/store/deliveries.ts";
import type { EventOrigin, EventSource, NewEvent } from "../../src/store/events.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** On a minute boundary, so a test's times fall in the minutes it names. */
const t0 = new Date("2026-11-22T10:00:00.000Z");
const minuteOf = (date: Date) => Math.floor(date.getTime() / MINUTE);
const LEASE = { ms: 30_000, holder: "worker-a" };

const event = (source: EventOrigin, type: string, receivedAt: Date): NewEvent => ({
  source,
  type,
  occurredAt: receivedAt,
  receivedAt,
  payload: {},
  headers: {},
});

const endpoint = (url: string, eventTypes: string[]) => ({
  url,
  description: "",
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  eventTypes,
  enabled: true,
});

function finished(
  claimed: ClaimedDelivery,
  result: "ok" | "fail" | "last",
  at: Date,
): FinishedAttempt {
  const outcome: AttemptOutcome =
    result === "ok"
      ? { status: "delivered" }
      : result === "fail"
        ? { status: "pending", nextAttemptAt: new Date(at.getTime() + 365 * DAY) }
        : { status: "failed" };
  return {
    deliveryId: claimed.delivery.id,
    endpointId: claimed.endpoint.id,
    eventId: claimed.event.id,
    eventType: claimed.event.type,
    holder: LEASE.holder,
    attempt: {
      attemptedAt: at,
      statusCode: result === "ok" ? 200 : 500,
      durationMs: 3,
      error: result === "ok" ? null : "HTTP 500",
      responseBody: "",
      responseHeaders: {},
    },
    outcome,
  };
}

/** Sorted, so the order the dialect answers in does not matter. */
const sorted = (counts: readonly MinuteCount[]) =>
  [...counts].sort((a, b) => a.minute - b.minute || a.series.localeCompare(b.series));

for (const dialect of dialects) {
  describe(`Store charts (${dialect})`, () => {
    const suite = storeForSuite(dialect);
    let clock = 0;
    /** Each test's own day, far from the others'. */
    const at = (ms: number) => new Date(t0.getTime() + clock + ms);

    beforeEach(async () => {
      for (const e of await suite.store.endpoints.list()) await suite.store.endpoints.delete(e.id);
      await suite.store.retention.deleteEventsBefore(
        new Date(t0.getTime() + 100 * 365 * DAY),
        100_000,
      );
      clock += 30 * DAY;
    });

    test("events are counted by source and minute received, within the window at both ends", async () => {
      const store = suite.store;
      const since = at(0);
      const until = at(DAY);
      const times: [EventSource, number][] = [
        ["github", -1], // a millisecond before the window: left out
        ["github", 0],
        ["github", 59_999],
        ["entity", 30_000],
        ["github", 5 * MINUTE + 1],
        ["trigger", DAY], // the window's last instant: counted
        ["trigger", DAY + 1], // after it: left out
      ];
      for (const [source, ms] of times) await store.events.record(event(source, "x.y", at(ms)));
      const first = minuteOf(since);
      expect(sorted(await store.charts.eventsPerMinute(since, until))).toEqual([
        { minute: first, series: "entity", n: 1 },
        { minute: first, series: "github", n: 2 },
        { minute: first + 5, series: "github", n: 1 },
        { minute: first + 24 * 60, series: "trigger", n: 1 },
      ]);
    });

    test("a gateway source's events are counted under its name when it is named", async () => {
      const store = suite.store;
      await store.events.record(event("stripe-live", "stripe-live.invoice.paid", at(DAY - MINUTE)));
      await store.events.record(event("shop", "shop.orders.create", at(DAY - MINUTE)));
      const last = minuteOf(at(DAY - MINUTE));
      const counted = await store.charts.eventsPerMinute(at(DAY - HOUR), at(DAY), ["stripe-live"]);
      expect(sorted(counted).filter((c) => c.minute === last)).toEqual([
        { minute: last, series: "stripe-live", n: 1 },
      ]);
    });

    test("no events in the window is no counts", async () => {
      await suite.store.events.record(event("github", "x.y", at(-HOUR)));
      expect(await suite.store.charts.eventsPerMinute(at(0), at(DAY))).toEqual([]);
    });

    test("an endpoint's deliveries are counted by outcome and minute created, other endpoints' left out", async () => {
      const store = suite.store;
      const mine = await store.endpoints.create(endpoint("https://mine.example", ["m.*"]), at(0));
      await store.endpoints.create(endpoint("https://other.example", ["*"]), at(0));
      // Four deliveries created in minute 2, one in minute 7, one a day before the window.
      for (let i = 0; i < 4; i++)
        await store.events.record(event("trigger", "m.a", at(2 * MINUTE + i)));
      await store.events.record(event("trigger", "m.b", at(7 * MINUTE)));
      await store.events.record(event("trigger", "m.c", at(-DAY)));
      const claimed = (await store.deliveries.claimDue(at(3 * MINUTE), 100, LEASE))
        .filter((c) => c.endpoint.id === mine.id && c.event.type === "m.a")
        .sort((a, b) => a.event.occurredAt.getTime() - b.event.occurredAt.getTime());
      expect(claimed).toHaveLength(4);
      const results = ["ok", "ok", "fail", "last"] as const;
      await store.deliveries.finishAttempts(
        claimed.map((c, i) => finished(c, results[i] as "ok", at(3 * MINUTE + i))),
        {},
      );
      const first = minuteOf(at(0));
      expect(sorted(await store.charts.deliveriesPerMinute(mine.id, at(0), at(DAY)))).toEqual([
        { minute: first + 2, series: "delivered", n: 2 },
        { minute: first + 2, series: "failed", n: 1 },
        { minute: first + 2, series: "retrying", n: 1 },
        { minute: first + 7, series: "waiting", n: 1 },
      ]);
      expect(await store.charts.deliveriesPerMinute("no-such-endpoint", at(0), at(DAY))).toEqual(
        [],
      );
    });
  });
}
