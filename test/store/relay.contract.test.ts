/** The Store contract for the relay outbox, on every dialect. */
import { describe, expect, test } from "bun:test";
import type { NewRelayMessage } from "../../src/store/relay.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-11-22T10:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const LEASE = { ms: 30_000, holder: "relay-a" };

const queued = (project: string, eventId: string): NewRelayMessage => ({
  status: "queued",
  project,
  eventId,
  eventType: "user.created",
  payload: { object: "event", id: eventId, type: "user.created", project, data: { n: 1 } },
  pubsubMessageId: `ps-${eventId}`,
});

for (const dialect of dialects) {
  describe(`Store relay outbox (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("a message is stored once per project and event id", async () => {
      const first = await suite.store.relay.accept(queued("dev", "evt_1"), t0);
      expect(first.status).toBe("stored");
      if (first.status !== "stored") return;
      expect(first.message).toMatchObject({
        status: "queued",
        project: "dev",
        eventId: "evt_1",
        nextAttemptAt: t0,
        queuedAt: t0,
        pubsubMessageId: "ps-evt_1",
      });
      expect(await suite.store.relay.accept(queued("dev", "evt_1"), later(5))).toEqual({
        status: "duplicate",
        id: first.message.id,
      });
      expect((await suite.store.relay.accept(queued("prod", "evt_1"), t0)).status).toBe("stored");
    });

    test("concurrent copies of one event store one message", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => suite.store.relay.accept(queued("race", "evt_r"), t0)),
      );
      expect(results.filter((r) => r.status === "stored")).toHaveLength(1);
    });

    test("rejected envelopes are kept with their reason and never claimed", async () => {
      const rejected = await suite.store.relay.accept(
        {
          status: "rejected",
          payload: { message: { data: "!!" } },
          reason: "message.data is not base64",
        },
        t0,
      );
      expect(rejected.status === "stored" && rejected.message).toMatchObject({
        status: "rejected",
        project: null,
        lastError: "message.data is not base64",
      });
      const again = await suite.store.relay.accept(
        { status: "rejected", payload: {}, reason: "x" },
        t0,
      );
      expect(again.status).toBe("stored");
    });

    test("claim, send, and a lost lease", async () => {
      const claimed = await suite.store.relay.claimDue(later(1000), 100, LEASE);
      expect(claimed.map((m) => `${m.project}/${m.eventId}`).sort()).toEqual([
        "dev/evt_1",
        "prod/evt_1",
        "race/evt_r",
      ]);
      expect(
        await suite.store.relay.claimDue(later(2000), 100, { ms: 30_000, holder: "relay-b" }),
      ).toEqual([]);
      const [dev] = claimed.filter((m) => m.project === "dev");
      const [race] = claimed.filter((m) => m.project === "race");
      await suite.store.relay.finish(
        race?.id ?? "",
        LEASE.holder,
        { status: "sent", svixMessageId: "msg_r" },
        later(3000),
      );
      expect(
        await suite.store.relay.finish(
          dev?.id ?? "",
          "relay-b",
          { status: "sent", svixMessageId: "msg_x" },
          later(3000),
        ),
      ).toBe(false);
      expect(
        await suite.store.relay.finish(
          dev?.id ?? "",
          LEASE.holder,
          { status: "sent", svixMessageId: "msg_1" },
          later(3000),
        ),
      ).toBe(true);
      expect(await suite.store.relay.get(dev?.id ?? "")).toMatchObject({
        status: "sent",
        attemptCount: 1,
        sentAt: later(3000),
        svixMessageId: "msg_1",
        nextAttemptAt: null,
      });
    });

    test("a retryable failure requeues with the error; deferral moves it without counting an attempt", async () => {
      const [prod] = (await suite.store.relay.list({ project: "prod" }, { limit: 1 })).items;
      const id = prod?.id ?? "";
      await suite.store.relay.finish(
        id,
        LEASE.holder,
        { status: "queued", nextAttemptAt: later(10_000), error: "HTTP 503" },
        later(4000),
      );
      expect(await suite.store.relay.get(id)).toMatchObject({
        status: "queued",
        attemptCount: 1,
        lastError: "HTTP 503",
        nextAttemptAt: later(10_000),
      });
      const [again] = await suite.store.relay.claimDue(later(10_000), 1, LEASE);
      await suite.store.relay.finish(
        again?.id ?? "",
        LEASE.holder,
        { status: "deferred", nextAttemptAt: later(20_000) },
        later(10_000),
      );
      expect(await suite.store.relay.get(id)).toMatchObject({
        status: "queued",
        attemptCount: 1,
        nextAttemptAt: later(20_000),
      });
      expect(await suite.store.relay.nextDueAt()).toEqual(later(20_000));
    });

    test("failed, then retried by hand with a fresh window", async () => {
      const [claimed] = await suite.store.relay.claimDue(later(20_000), 10, LEASE);
      await suite.store.relay.finish(
        claimed?.id ?? "",
        LEASE.holder,
        { status: "failed", error: "HTTP 422: bad payload" },
        later(21_000),
      );
      expect((await suite.store.relay.get(claimed?.id ?? ""))?.status).toBe("failed");
      expect(
        (await suite.store.relay.list({ status: "failed" }, { limit: 10 })).items,
      ).toHaveLength(1);
      const retried = await suite.store.relay.retry(claimed?.id ?? "", later(30_000));
      expect(retried).toMatchObject({
        status: "queued",
        attemptCount: 0,
        nextAttemptAt: later(30_000),
        queuedAt: later(30_000),
      });
      expect(await suite.store.relay.retry("no-such-message", t0)).toBeUndefined();
    });

    test("held messages wait until released", async () => {
      await suite.store.relay.accept(
        { ...queued("held", "evt_h"), status: "held" } as NewRelayMessage,
        t0,
      );
      const claimed = await suite.store.relay.claimDue(later(40_000), 100, { ms: 1, holder: "x" });
      expect(claimed.some((m) => m.project === "held")).toBe(false);
      expect(await suite.store.relay.releaseHeld(later(41_000))).toBe(1);
      const summary = await suite.store.relay.summary();
      expect(summary).toContainEqual({ project: "held", status: "queued", count: 1 });
      expect(summary).toContainEqual({ project: "dev", status: "sent", count: 1 });
      expect(await suite.store.relay.oldestDueAt(later(50_000))).toBeInstanceOf(Date);
    });
  });
}
