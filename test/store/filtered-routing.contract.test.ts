/**
 * The Store contract for endpoints with a payload filter, on every dialect: an event gets
 * a delivery to a filtered endpoint only when its type and its filter both take it, and a
 * change to the filter routes the very next event by it.
 */
import { describe, expect, test } from "bun:test";
import type { NewEvent } from "../../src/store/events.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-12-05T10:00:00.000Z");

const invoice = (amount: number, headers: Record<string, string> = {}): NewEvent => ({
  source: "stripe-live",
  type: "stripe-live.invoice.paid",
  occurredAt: t0,
  receivedAt: t0,
  payload: { data: { object: { amount_paid: amount, currency: "eur" } } },
  headers,
});

for (const dialect of dialects) {
  describe(`Store routing by payload filter (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    const endpoint = (filter: unknown, eventTypes = ["stripe-live.*"]) =>
      suite.store.endpoints.create(
        {
          url: "https://example.com/hook",
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes,
          filter,
          enabled: true,
        },
        t0,
      );

    const deliveredTo = async (event: NewEvent): Promise<string[]> => {
      const recorded = await suite.store.events.record(event);
      if (recorded.status !== "stored") throw new Error("not stored");
      const { items } = await suite.store.deliveries.list(
        { eventId: recorded.event.id },
        { limit: 50 },
      );
      return items.map((d) => d.endpointId).sort();
    };

    test("a filtered endpoint gets the events its filter takes, an unfiltered one every event of its types", async () => {
      const big = await endpoint({ "data.object.amount_paid": { $gte: 1000 } });
      const any = await endpoint(null);
      const otherType = await endpoint({ "data.object.currency": "eur" }, ["shop.*"]);
      expect(await deliveredTo(invoice(5000))).toEqual([big.id, any.id].sort());
      expect(await deliveredTo(invoice(10))).toEqual([any.id]);
      // Its filter would take the event, its types do not.
      expect(otherType.filter).toEqual({ "data.object.currency": "eur" });
      for (const e of [big, any, otherType]) await suite.store.endpoints.delete(e.id);
    });

    test("headers are matched under headers.", async () => {
      const live = await endpoint({ "headers.x-mode": "live" });
      expect(await deliveredTo(invoice(1, { "x-mode": "live" }))).toEqual([live.id]);
      expect(await deliveredTo(invoice(1, { "x-mode": "test" }))).toEqual([]);
      await suite.store.endpoints.delete(live.id);
    });

    test("a changed, removed or disabled filter routes the next event by what was written", async () => {
      const e = await endpoint({ "data.object.currency": "usd" });
      expect(await deliveredTo(invoice(1))).toEqual([]);
      await suite.store.endpoints.update(e.id, { filter: { "data.object.currency": "eur" } }, t0);
      expect(await deliveredTo(invoice(1))).toEqual([e.id]);
      await suite.store.endpoints.update(e.id, { enabled: false }, t0);
      expect(await deliveredTo(invoice(1))).toEqual([]);
      await suite.store.endpoints.update(e.id, { enabled: true, filter: null }, t0);
      expect(await deliveredTo(invoice(1))).toEqual([e.id]);
      await suite.store.endpoints.delete(e.id);
      expect(await deliveredTo(invoice(1))).toEqual([]);
    });
  });
}
