/**
 * The Store contract for endpoint health, on every dialect: what recording attempts does
 * to an endpoint (failures counted, auto-disable, recovery), the operational events it
 * stores and to whom they go, and the health read for a list of endpoints.
 */
import { describe, expect, test } from "bun:test";
import type { NewEvent } from "../../src/store/events.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const t0 = new Date("2026-11-22T10:00:00.000Z");

const event = (type: string): NewEvent => ({
  source: "trigger",
  type,
  occurredAt: t0,
  receivedAt: t0,
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

for (const dialect of dialects) {
  describe(`Store endpoint health (${dialect})`, () => {
    const suite = storeForSuite(dialect);

    test("hookyard's own event types go only to endpoints that name them, not to * or no filter", async () => {
      const store = suite.store;
      const all = await store.endpoints.create(endpoint("https://all.example", ["*"]), t0);
      const none = await store.endpoints.create(endpoint("https://none.example", []), t0);
      const ops = await store.endpoints.create(endpoint("https://ops.example", ["hookyard.*"]), t0);
      const exact = await store.endpoints.create(
        endpoint("https://exact.example", ["hookyard.endpoint.disabled"]),
        t0,
      );
      const recorded = await store.events.record(event("hookyard.endpoint.disabled"));
      if (recorded.status !== "stored") throw new Error("expected stored");
      const queued = await store.deliveries.list({ eventId: recorded.event.id }, { limit: 10 });
      expect(queued.items.map((d) => d.endpointId).sort()).toEqual([ops.id, exact.id].sort());
      // An ordinary type whose name only starts the same way is ordinary.
      const lookalike = await store.events.record(event("hookyardx.thing"));
      expect(lookalike.status === "stored" && lookalike.deliveries).toBe(2);
      for (const e of [all, none, ops, exact]) await store.endpoints.delete(e.id);
    });
  });
}
