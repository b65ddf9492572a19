/**
 * Recovery and endpoint payload filters: a replay and a resend send a filtered endpoint
 * only what its filter takes, as fan-out does for a new event. Events come through a
 * source (/in/<name>), so that they carry the headers a filter can name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { until } from "../support/until.ts";

/** Orders of 100 or more from gold customers: a payload field and a header. */
const GOLD_OVER_100 = { amount: { $gte: 100 }, "headers.x-tier": "gold" };

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

interface DeliveryJson {
  readonly event_id: string;
  readonly endpoint_id: string;
  readonly status: string;
}

for (const dialect of dialects) {
  describe(`recovery with payload filters (${dialect})`, () => {
    let app: TestApp;
    const receivers: Receiver[] = [];
    let sources = 0;
    let orders = 0;

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
    });
    afterEach(async () => {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
      await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    });
    afterAll(() => app.stop());

    /** A source of its own for a test, whose events are typed `<name>.order`. */
    async function source(): Promise<string> {
      const name = `shop${++sources}`;
      const response = await postJson(app, "/sources", {
        name,
        verifier: { type: "none" },
        event_type: "{{body.kind}}",
      });
      expect(response.status).toBe(201);
      return name;
    }

    /** An order of `amount` from a customer of `tier`, received by the source: its event id. */
    async function order(name: string, amount: number, tier: string): Promise<string> {
      const response = await app.request(`/in/${name}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-tier": tier },
        // Numbered: a source takes a body it has received already for a duplicate.
        body: JSON.stringify({ kind: "order", amount, n: ++orders }),
      });
      expect(response.status).toBe(201);
      return (await response.json()).event_id;
    }

    async function endpoint(eventTypes: string[], filter: unknown, enabled = true) {
      const receiver = startReceiver();
      receivers.push(receiver);
      const response = await postJson(app, "/endpoints", {
        url: receiver.url,
        event_types: eventTypes,
        filter,
        enabled,
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: string; secret: string };
      receiver.secret = created.secret;
      return { id: created.id, receiver };
    }

    async function deliveries(query: string): Promise<DeliveryJson[]> {
      const response = await app.request(`/deliveries?limit=500&${query}`);
      expect(response.status).toBe(200);
      return (await response.json()).deliveries;
    }

    describe("POST /endpoints/:id/replay", () => {
      test("counts and queues only the events the filter takes; replaying again queues none", async () => {
        const name = await source();
        // Stored while the endpoint was disabled: no delivery to it.
        const gold = await endpoint([`${name}.*`], GOLD_OVER_100, false);
        const taken = [await order(name, 500, "gold"), await order(name, 100, "gold")];
        await order(name, 500, "silver");
        await order(name, 99, "gold");
        const enabled = await app.request(`/endpoints/${gold.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enabled: true }),
        });
        expect(enabled.status).toBe(200);

        const dryRun = await postJson(app, `/endpoints/${gold.id}/replay?dry_run=true`, {
          since: hourAgo(),
        });
        expect(dryRun.status).toBe(200);
        expect(await dryRun.json()).toEqual({ would_queue: 2 });

        const response = await postJson(app, `/endpoints/${gold.id}/replay`, { since: hourAgo() });
        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ queued: 2 });
        const requests = await gold.receiver.waitFor(2);
        expect(requests.map((r) => r.id).sort()).toEqual([...taken].sort());
        expect(requests.every((r) => r.verified)).toBe(true);

        const again = await postJson(app, `/endpoints/${gold.id}/replay`, { since: hourAgo() });
        expect(await again.json()).toEqual({ queued: 0 });
        const query = `endpoint_id=${gold.id}`;
        await until(
          async () => (await deliveries(`${query}&status=delivered`)).length === 2,
          10_000,
          () => "the two replayed deliveries were not delivered",
        );
        expect((await deliveries(query)).map((d) => d.event_id).sort()).toEqual([...taken].sort());
        expect(gold.receiver.requests).toHaveLength(2);
      });
    });

    describe("POST /events/:id/resend", () => {
      test("skips an endpoint whose filter refuses the event, and reaches it when it takes one", async () => {
        const name = await source();
        const plain = await endpoint([`${name}.*`], null);
        const gold = await endpoint([`${name}.*`], GOLD_OVER_100);
        const silver = await order(name, 500, "silver");
        await plain.receiver.waitFor(1);

        const refused = await app.request(`/events/${silver}/resend`, { method: "POST" });
        expect(refused.status).toBe(202);
        expect(await refused.json()).toEqual({ deliveries: 1 });
        const resent = await deliveries(`event_id=${silver}`);
        expect(resent.map((d) => d.endpoint_id)).toEqual([plain.id, plain.id]);

        const goldOrder = await order(name, 500, "gold");
        await gold.receiver.waitFor(1);
        const taken = await app.request(`/events/${goldOrder}/resend`, { method: "POST" });
        expect(await taken.json()).toEqual({ deliveries: 2 });
        const [, again] = await gold.receiver.waitFor(2);
        expect(again?.id).toBe(goldOrder);
        expect(gold.receiver.requests.map((r) => r.id)).toEqual([goldOrder, goldOrder]);
      });
    });
  });
}
