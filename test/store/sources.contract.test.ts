/** The Store contract for sources and the raw bodies of their events, on every dialect. */
import { describe, expect, test } from "bun:test";
import type { NewSource, SourceRecord } from "../../src/store/sources.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-12-05T10:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

const stripe = (name: string): NewSource => ({
  name,
  verifier: { type: "stripe", secrets: ["whsec_one"] },
  eventType: null,
  description: "live account",
});

for (const dialect of dialects) {
  describe(`Store sources (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("a source is created once by name, read back, listed by name", async () => {
      const created = await suite.store.sources.create(stripe("stripe-b"), t0);
      expect(created).toEqual({ ...stripe("stripe-b"), createdAt: t0, updatedAt: t0 });
      expect(await suite.store.sources.create(stripe("stripe-b"), later(1))).toBe("exists");
      await suite.store.sources.create(stripe("stripe-a"), t0);
      expect(await suite.store.sources.get("stripe-b")).toEqual(created as SourceRecord);
      const names = (await suite.store.sources.list()).map((s) => s.name);
      expect(names.filter((n) => n.startsWith("stripe-"))).toEqual(["stripe-a", "stripe-b"]);
    });

    test("an update changes only what it names; a delete answers whether there was one", async () => {
      await suite.store.sources.create(stripe("shop"), t0);
      const updated = await suite.store.sources.update(
        "shop",
        { verifier: { type: "shopify", secrets: ["s2"] }, eventType: "{{header.x-topic}}" },
        later(5),
      );
      expect(updated).toEqual({
        ...stripe("shop"),
        verifier: { type: "shopify", secrets: ["s2"] },
        eventType: "{{header.x-topic}}",
        createdAt: t0,
        updatedAt: later(5),
      });
      expect(await suite.store.sources.update("nope", { description: "x" }, t0)).toBeUndefined();
      expect(await suite.store.sources.delete("shop")).toBe(true);
      expect(await suite.store.sources.delete("shop")).toBe(false);
      expect(await suite.store.sources.get("shop")).toBeUndefined();
    });

    test("an event keeps the body it came with, byte for byte, beside its payload", async () => {
      const body = '{ "id":"evt_1",  "type":"invoice.paid", "amount": 1.50 }\n';
      const recorded = await suite.store.events.record({
        source: "stripe-live",
        type: "stripe-live.invoice.paid",
        occurredAt: t0,
        receivedAt: t0,
        payload: JSON.parse(body),
        headers: { "stripe-signature": "t=1,v1=ab" },
        dedupeKey: "evt_1",
        body: { kind: "text", text: body },
      });
      expect(recorded.status).toBe("stored");
      if (recorded.status !== "stored") return;
      const stored = await suite.store.events.get(recorded.event.id);
      expect(stored?.body).toBe(body);
      expect(stored?.payload).toEqual({ id: "evt_1", type: "invoice.paid", amount: 1.5 });
      expect(recorded.event.body).toBe(body);
    });

    test("a body that is the payload's text, as it came, is kept once and read back whole", async () => {
      const body = '{"id":"evt_2", "type":"invoice.paid","n":[1, 2]}';
      const recorded = await suite.store.events.record({
        source: "stripe-live",
        type: "stripe-live.invoice.paid",
        occurredAt: t0,
        receivedAt: t0,
        payload: JSON.parse(body),
        payloadText: body,
        headers: {},
        dedupeKey: "evt_2",
        body: { kind: "payload-text" },
      });
      if (recorded.status !== "stored") throw new Error("not stored");
      expect(recorded.event.body).toBe(body);
      const stored = await suite.store.events.get(recorded.event.id);
      expect(stored?.body).toBe(body);
      expect(stored?.payload).toEqual({ id: "evt_2", type: "invoice.paid", n: [1, 2] });
      const [listed] = (
        await suite.store.events.list(
          { source: "stripe-live", type: "stripe-live.invoice.paid" },
          { limit: 1 },
        )
      ).items;
      expect(listed?.body).toBe(body);
    });

    test("an event of a built-in route has no body of its own", async () => {
      const recorded = await suite.store.events.record({
        source: "trigger",
        type: "task.update",
        occurredAt: t0,
        receivedAt: t0,
        payload: { n: 1 },
        headers: {},
      });
      if (recorded.status !== "stored") throw new Error("not stored");
      expect((await suite.store.events.get(recorded.event.id))?.body).toBeNull();
    });
  });
}
