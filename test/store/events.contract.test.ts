/**
 * The Store contract for events and changes, run against every dialect: the same
 * behaviour on SQLite and PostgreSQL.
 */
import { describe, expect, test } from "bun:test";
import type { NewEvent } from "../../src/store/events.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const base = new Date("2026-11-22T10:00:00.000Z");
const at = (seconds: number) => new Date(base.getTime() + seconds * 1000);

function entityEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    source: "entity",
    type: "task.update",
    entityType: "task",
    entityId: "task-1",
    action: "update",
    occurredAt: base,
    receivedAt: base,
    payload: { name: "write tests", nested: { ok: true } },
    headers: { "user-agent": "test" },
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`Store events and changes (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("migrating again applies nothing", async () => {
      expect((await suite.store.migrate()).applied).toEqual([]);
    });

    test("a recorded event can be read back exactly", async () => {
      const result = await suite.store.events.record(entityEvent({ entityId: "exact" }));
      if (result.status !== "stored") throw new Error("expected stored");
      const read = await suite.store.events.get(result.event.id);
      expect(read).toEqual(result.event);
      expect(read).toMatchObject({
        source: "entity",
        type: "task.update",
        entityId: "exact",
        occurredAt: base,
        payload: { name: "write tests", nested: { ok: true } },
        headers: { "user-agent": "test" },
      });
    });

    test("an unknown id reads as undefined", async () => {
      expect(await suite.store.events.get("01900000-0000-7000-8000-000000000000")).toBeUndefined();
    });

    test("a second event with the same source and dedupe key is a duplicate", async () => {
      const first = await suite.store.events.record(entityEvent({ dedupeKey: "dup-1" }));
      const second = await suite.store.events.record(entityEvent({ dedupeKey: "dup-1" }));
      expect(first.status).toBe("stored");
      expect(second).toEqual({
        status: "duplicate",
        eventId: first.status === "stored" ? first.event.id : "",
      });
      const other = await suite.store.events.record(
        entityEvent({ source: "github", dedupeKey: "dup-1" }),
      );
      expect(other.status).toBe("stored");
    });

    test("concurrent copies of one delivery store one event and one change", async () => {
      const copies = Array.from({ length: 20 }, () =>
        suite.store.events.record(entityEvent({ source: "github", dedupeKey: "race-1" }), {
          change: { race: 1 },
        }),
      );
      const results = await Promise.all(copies);
      expect(results.filter((r) => r.status === "stored")).toHaveLength(1);
      const changes = await suite.store.changes.list({ limit: 500 });
      expect(changes.items.filter((c) => (c.data as { race?: number }).race === 1)).toHaveLength(1);
    });

    test("an event that cannot be stored fails alone and whole; events recorded with it are stored", async () => {
      const good = Array.from({ length: 5 }, (_, i) =>
        suite.store.events.record(entityEvent({ entityId: `together-${i}` })),
      );
      // The event row goes in before the change is serialized: the failure comes mid-record.
      const bad = suite.store.events.record(
        entityEvent({ entityId: "together-bad", dedupeKey: "together-bad" }),
        { change: { size: 1n } },
      );
      const [badResult, ...goodResults] = await Promise.allSettled([bad, ...good]);
      expect(badResult?.status).toBe("rejected");
      expect(
        goodResults.map((r) => (r.status === "fulfilled" ? r.value.status : "rejected")),
      ).toEqual(["stored", "stored", "stored", "stored", "stored"]);
      expect(await suite.store.events.forEntity("together-bad", 10)).toEqual([]);
      const again = await suite.store.events.record(
        entityEvent({ entityId: "together-bad", dedupeKey: "together-bad" }),
      );
      expect(again.status).toBe("stored");
    });

    if (dialect === "postgres") {
      test("an event PostgreSQL refuses mid-batch fails alone: the others of its batch are stored", async () => {
        // jsonb refuses U+0000 (the HTTP edge refuses it earlier); here it makes the batch's
        // statement fail, so the events are written again one at a time.
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, n) =>
            suite.store.events.record(
              entityEvent({
                entityId: `refused-${n}`,
                payload: n === 3 ? { text: "a\u0000b" } : { n },
              }),
            ),
          ),
        );
        expect(results.map((r) => r.status)).toEqual([
          "fulfilled",
          "fulfilled",
          "fulfilled",
          "rejected",
          "fulfilled",
          "fulfilled",
        ]);
        expect(await suite.store.events.forEntity("refused-3", 10)).toEqual([]);
        expect(await suite.store.events.forEntity("refused-4", 10)).toHaveLength(1);
      });
    }

    test("a payload of JSON null is stored and read back as null, alone or in a batch", async () => {
      const results = await Promise.all(
        [0, 1, 2].map((n) =>
          suite.store.events.record(entityEvent({ entityId: `null-${n}`, payload: null })),
        ),
      );
      for (const result of results) {
        if (result.status !== "stored") throw new Error("expected stored");
        expect((await suite.store.events.get(result.event.id))?.payload).toBeNull();
      }
    });

    test("events recorded at the same moment each get their own change row and deliveries", async () => {
      const endpoint = await suite.store.endpoints.create(
        {
          url: "https://together.example",
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["together.*"],
          enabled: true,
        },
        base,
      );
      // More than one statement's worth on PostgreSQL (64 events): batches are split.
      const results = await Promise.all(
        Array.from({ length: 150 }, (_, n) =>
          suite.store.events.record(
            entityEvent({
              type: n % 3 === 0 ? "other.thing" : "together.thing",
              entityId: `t-${n}`,
            }),
            n % 2 === 0 ? { change: { n } } : {},
          ),
        ),
      );
      const changes = new Map(
        (await suite.store.changes.list({ limit: 500 })).items.map((c) => [c.id, c.data]),
      );
      results.forEach((result, n) => {
        if (result.status !== "stored") throw new Error(`event ${n} was not stored`);
        expect(result.event.entityId).toBe(`t-${n}`);
        expect(result.deliveries).toBe(n % 3 === 0 ? 0 : 1);
        if (n % 2 === 0) expect(changes.get(result.changeId ?? -1)).toEqual({ n });
        else expect(result.changeId).toBeNull();
      });
      await suite.store.endpoints.delete(endpoint.id);
    });

    test("a change is written with its event and listed newest first", async () => {
      const one = await suite.store.events.record(entityEvent({ source: "github" }), {
        change: { n: 1, data: { branch: "main" } },
      });
      const two = await suite.store.events.record(entityEvent({ source: "github" }), {
        change: { n: 2 },
      });
      if (one.status !== "stored" || two.status !== "stored") throw new Error("expected stored");
      expect(one.changeId).toBeNumber();
      expect(two.changeId).toBeGreaterThan(one.changeId ?? 0);
      const page = await suite.store.changes.list({ limit: 1 });
      expect(page.items[0]).toEqual({ id: two.changeId as number, data: { n: 2 } });
      expect(page.next).toBe(two.changeId);
      const next = await suite.store.changes.list({ limit: 1, before: page.next ?? undefined });
      expect(next.items[0]).toEqual({
        id: one.changeId as number,
        data: { n: 1, data: { branch: "main" } },
      });
    });

    test("events are listed newest first, filtered, and paged without gaps or repeats", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const result = await suite.store.events.record(
          entityEvent({
            source: "trigger",
            type: i % 2 === 0 ? "order.paid" : "order.refunded",
            entityId: `order-${i}`,
            // two events share a received time: the id breaks the tie
            receivedAt: at(100 + Math.min(i, 5)),
            payload: { index: i, note: i === 3 ? "Needle_in 100% haystack" : "hay" },
          }),
        );
        if (result.status === "stored") ids.push(result.event.id);
      }
      const seen: string[] = [];
      let after: { at: number; id: string } | undefined;
      for (let pageNo = 0; pageNo < 10; pageNo++) {
        const page = await suite.store.events.list({ source: "trigger" }, { limit: 3, after });
        seen.push(...page.items.map((event) => event.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen).toEqual([...ids].reverse());

      const paid = await suite.store.events.list(
        { source: "trigger", type: "order.paid" },
        { limit: 50 },
      );
      expect(paid.items.map((e) => e.type)).toEqual([
        "order.paid",
        "order.paid",
        "order.paid",
        "order.paid",
      ]);

      const byEntity = await suite.store.events.list({ entityId: "order-2" }, { limit: 50 });
      expect(byEntity.items.map((e) => e.entityId)).toEqual(["order-2"]);

      const byText = await suite.store.events.list({ text: "needle_IN 100%" }, { limit: 50 });
      expect(byText.items.map((e) => (e.payload as { index: number }).index)).toEqual([3]);
      const wildcard = await suite.store.events.list({ text: "%" }, { limit: 50 });
      expect(wildcard.items.map((e) => (e.payload as { index: number }).index)).toEqual([3]);

      const window = await suite.store.events.list(
        { source: "trigger", since: at(101), until: at(102) },
        { limit: 50 },
      );
      expect(window.items.map((e) => e.entityId)).toEqual(["order-2", "order-1"]);
    });

    test("an entity's events come oldest first by occurrence, ties by arrival", async () => {
      await suite.store.events.record(
        entityEvent({
          entityId: "e-9",
          occurredAt: at(20),
          receivedAt: at(1),
          payload: { v: "late" },
        }),
      );
      await suite.store.events.record(
        entityEvent({
          entityId: "e-9",
          occurredAt: at(10),
          receivedAt: at(2),
          payload: { v: "early" },
        }),
      );
      await suite.store.events.record(
        entityEvent({
          entityId: "e-9",
          occurredAt: at(20),
          receivedAt: at(3),
          payload: { v: "late-tie" },
        }),
      );
      const events = await suite.store.events.forEntity("e-9", 100);
      expect(events.map((e) => (e.payload as { v: string }).v)).toEqual([
        "early",
        "late",
        "late-tie",
      ]);
    });

    test("tryExclusive runs one holder at a time", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const first = suite.store.tryExclusive("contract-lock", async () => {
        entered();
        await held;
        return "first";
      });
      await inside;
      const second = await suite.store.tryExclusive("contract-lock", async () => "second");
      release();
      expect(second).toEqual({ ran: false });
      expect(await first).toEqual({ ran: true, value: "first" });
      expect(await suite.store.tryExclusive("contract-lock", async () => "third")).toEqual({
        ran: true,
        value: "third",
      });
    });

    test("a wake-up reaches the listener", async () => {
      let wakeups = 0;
      let woken!: () => void;
      const wokenOnce = new Promise<void>((resolve) => {
        woken = resolve;
      });
      const unsubscribe = await suite.store.onWake("relay", () => {
        wakeups++;
        woken();
      });
      await suite.store.wake("relay");
      await wokenOnce;
      await unsubscribe();
      expect(wakeups).toBe(1);
    });

    test("ping answers while the database is open", async () => {
      await expect(suite.store.ping()).resolves.toBeUndefined();
    });
  });
}
