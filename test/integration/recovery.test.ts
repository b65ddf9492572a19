import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import {
  capturingLogger,
  ok,
  type Receiver,
  type Responder,
  startReceiver,
  status,
} from "../support/receiver.ts";
import { until } from "../support/until.ts";

/** Two attempts 50 ms apart, then failed: an outage in a fraction of a second. */
const SETTINGS = {
  DELIVERY_RETRY_SCHEDULE: "50ms",
  ALLOW_PRIVATE_ENDPOINTS: "true",
  DELIVERY_TIMEOUT: "5s",
};

interface DeliveryJson {
  id: string;
  event_id: string;
  endpoint_id: string;
  status: string;
  attempt_count: number;
  created_at: string;
}

/** A receiver whose answer the test switches: down (503) until `up()`. */
function switchable(receiver: Receiver) {
  let answer: Responder = () => status(503);
  receiver.respond = (request) => answer(request);
  return {
    up: (responder: Responder = ok) => {
      answer = responder;
    },
  };
}

async function harness(dialect: "sqlite" | "postgres", settings = SETTINGS) {
  const logs = capturingLogger();
  const app = await startTestApp(dialect, { settings, log: logs.log });
  const receivers: Receiver[] = [];
  let cases = 0;
  const h = {
    app,
    logs,
    prefix: () => `recovery${++cases}`,
    receiver() {
      const receiver = startReceiver();
      receivers.push(receiver);
      return receiver;
    },
    async endpoint(receiver: Receiver, eventTypes: string[], enabled = true) {
      const response = await postJson(app, "/endpoints", {
        url: receiver.url,
        event_types: eventTypes,
        enabled,
      });
      expect(response.status).toBe(201);
      const endpoint = (await response.json()) as { id: string; secret: string };
      receiver.secret = endpoint.secret;
      return endpoint;
    },
    async trigger(type: string, payload: unknown = { n: 1 }) {
      const response = await postJson(app, `/trigger/${type}`, payload);
      expect(response.status).toBe(202);
      return (await response.json()) as { event_id: string; deliveries: number };
    },
    async deliveries(query: string): Promise<DeliveryJson[]> {
      const response = await app.request(`/deliveries?limit=500&${query}`);
      expect(response.status).toBe(200);
      return (await response.json()).deliveries;
    },
    /** Resolves once the endpoint has `count` deliveries in `state`. */
    async settled(endpointId: string, state: string, count: number) {
      const query = `endpoint_id=${endpointId}&status=${state}`;
      await until(
        async () => (await h.deliveries(query)).length === count,
        10_000,
        async () => `expected ${count} ${state}, got ${(await h.deliveries(query)).length}`,
      );
    },
    post: (path: string, body?: unknown) =>
      body === undefined ? app.request(path, { method: "POST" }) : postJson(app, path, body),
    async cleanUp() {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
      await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    },
  };
  return h;
}

type Harness = Awaited<ReturnType<typeof harness>>;

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

for (const dialect of dialects) {
  describe(`recovery (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(dialect);
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    /** An endpoint whose receiver was down for `count` events of its own type: all failed. */
    async function outage(count: number) {
      const prefix = h.prefix();
      const receiver = h.receiver();
      const line = switchable(receiver);
      const endpoint = await h.endpoint(receiver, [`${prefix}.*`]);
      const events: string[] = [];
      for (let i = 0; i < count; i++) events.push((await h.trigger(`${prefix}.made`)).event_id);
      await h.settled(endpoint.id, "failed", count);
      return { prefix, receiver, line, endpoint, events };
    }

    describe("POST /endpoints/:id/recover", () => {
      test("queues every failed delivery once; a second call while they are pending queues none", async () => {
        const { receiver, line, endpoint, events } = await outage(3);
        expect(receiver.requests).toHaveLength(6);
        // Back up, but holding its answers: the recovered deliveries stay pending meanwhile.
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        line.up(() => gate.then(() => new Response("ok")));

        const first = await h.post(`/endpoints/${endpoint.id}/recover`, { since: hourAgo() });
        expect(first.status).toBe(202);
        expect(await first.json()).toEqual({ queued: 3 });
        await receiver.waitFor(9);
        expect(await h.deliveries(`endpoint_id=${endpoint.id}&status=pending`)).toHaveLength(3);

        const second = await h.post(`/endpoints/${endpoint.id}/recover`, { since: hourAgo() });
        expect(second.status).toBe(202);
        expect(await second.json()).toEqual({ queued: 0 });

        release();
        await h.settled(endpoint.id, "delivered", 3);
        const recovered = receiver.requests.slice(6);
        expect(recovered.map((r) => r.id).sort()).toEqual([...events].sort());
        expect(recovered.every((r) => r.verified)).toBe(true);
        for (const delivery of await h.deliveries(`endpoint_id=${endpoint.id}`)) {
          // A fresh schedule: the recovered attempt is the first since.
          expect(delivery.attempt_count).toBe(1);
        }
        expect(receiver.requests).toHaveLength(9);
      });

      test("only deliveries created in the window, both ends included", async () => {
        const prefix = h.prefix();
        const receiver = h.receiver();
        switchable(receiver);
        const endpoint = await h.endpoint(receiver, [`${prefix}.*`]);
        // One after the other: the first has failed (50 ms and more) before the second is made.
        await h.trigger(`${prefix}.older`);
        await h.settled(endpoint.id, "failed", 1);
        await h.trigger(`${prefix}.newer`);
        await h.settled(endpoint.id, "failed", 2);
        const [newer, older] = (await h.deliveries(`endpoint_id=${endpoint.id}`)) as [
          DeliveryJson,
          DeliveryJson,
        ];
        const wouldQueue = async (window: object) => {
          const url = `/endpoints/${endpoint.id}/recover?dry_run=true`;
          return (await (await h.post(url, window)).json()).would_queue;
        };
        const justAfter = (time: string) => new Date(Date.parse(time) + 1).toISOString();

        expect(await wouldQueue({ since: older.created_at, until: newer.created_at })).toBe(2);
        expect(await wouldQueue({ since: older.created_at, until: older.created_at })).toBe(1);
        expect(await wouldQueue({ since: justAfter(older.created_at) })).toBe(1);
        expect(await wouldQueue({ since: justAfter(newer.created_at) })).toBe(0);

        const response = await h.post(`/endpoints/${endpoint.id}/recover`, {
          since: hourAgo(),
          until: older.created_at,
        });
        expect(await response.json()).toEqual({ queued: 1 });
        const failed = await h.deliveries(`endpoint_id=${endpoint.id}&status=failed`);
        expect(failed.map((d) => d.id)).toEqual([newer.id]);
      });

      test("?dry_run=true answers 200 with the count and changes nothing", async () => {
        const { receiver, endpoint } = await outage(2);
        const response = await h.post(`/endpoints/${endpoint.id}/recover?dry_run=true`, {
          since: hourAgo(),
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ would_queue: 2 });
        expect(await h.deliveries(`endpoint_id=${endpoint.id}&status=failed`)).toHaveLength(2);
        expect(receiver.requests).toHaveLength(4);
      });

      test("a disabled endpoint is a 409, dry run or not, and nothing is queued", async () => {
        const { endpoint } = await outage(1);
        const patched = await h.app.request(`/endpoints/${endpoint.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enabled: false }),
        });
        expect(patched.status).toBe(200);
        for (const query of ["", "?dry_run=true"]) {
          const response = await h.post(`/endpoints/${endpoint.id}/recover${query}`, {
            since: hourAgo(),
          });
          expect(response.status).toBe(409);
          expect(await response.json()).toMatchObject({
            error: expect.stringContaining("disabled"),
            details: [{ endpoint_id: endpoint.id }],
          });
        }
        expect(await h.deliveries(`endpoint_id=${endpoint.id}&status=failed`)).toHaveLength(1);
      });
    });

    describe("POST /endpoints/:id/replay", () => {
      test("queues the events it subscribes to and never got; replaying again queues none", async () => {
        const prefix = h.prefix();
        const receiver = h.receiver();
        // Stored while the endpoint was disabled: no delivery to it.
        const endpoint = await h.endpoint(receiver, [`${prefix}.*`, `${prefix}x.exact`], false);
        const taken = [
          (await h.trigger(`${prefix}.one`)).event_id,
          (await h.trigger(`${prefix}.two.deep`)).event_id,
          (await h.trigger(`${prefix}x.exact`)).event_id,
        ];
        await h.trigger(`${prefix}x.other`);
        await h.trigger(`${prefix}`);
        await h.app.request(`/endpoints/${endpoint.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enabled: true }),
        });
        // Delivered already: not replayed.
        const delivered = (await h.trigger(`${prefix}.three`)).event_id;
        await receiver.waitFor(1);

        const dryRun = await h.post(`/endpoints/${endpoint.id}/replay?dry_run=true`, {
          since: hourAgo(),
        });
        expect(dryRun.status).toBe(200);
        expect(await dryRun.json()).toEqual({ would_queue: 3 });

        const response = await h.post(`/endpoints/${endpoint.id}/replay`, { since: hourAgo() });
        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ queued: 3 });
        const requests = await receiver.waitFor(4);
        expect(requests.map((r) => r.id).sort()).toEqual([...taken, delivered].sort());
        expect(requests.every((r) => r.verified)).toBe(true);

        const again = await h.post(`/endpoints/${endpoint.id}/replay`, { since: hourAgo() });
        expect(await again.json()).toEqual({ queued: 0 });
        await h.settled(endpoint.id, "delivered", 4);
        expect(receiver.requests).toHaveLength(4);
      });

      test("only events received in the window", async () => {
        const prefix = h.prefix();
        const receiver = h.receiver();
        const endpoint = await h.endpoint(receiver, [`${prefix}.*`], false);
        const { event_id } = await h.trigger(`${prefix}.before`);
        const before = await h.app.store.events.get(event_id);
        const cut = (before?.receivedAt.getTime() ?? Number.NaN) + 1;
        await until(
          () => Date.now() > cut,
          1_000,
          () => "the clock did not move",
        );
        const inside = (await h.trigger(`${prefix}.inside`)).event_id;
        await h.app.request(`/endpoints/${endpoint.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enabled: true }),
        });
        const response = await h.post(`/endpoints/${endpoint.id}/replay`, {
          since: new Date(cut).toISOString(),
        });
        expect(await response.json()).toEqual({ queued: 1 });
        const [request] = await receiver.waitFor(1);
        expect(request?.id).toBe(inside);
      });

      test("a disabled endpoint is a 409", async () => {
        const endpoint = await h.endpoint(h.receiver(), ["*"], false);
        const response = await h.post(`/endpoints/${endpoint.id}/replay`, { since: hourAgo() });
        expect(response.status).toBe(409);
      });
    });

    describe("POST /events/:id/resend", () => {
      test("a new delivery to every enabled endpoint it matches now, with the same webhook-id", async () => {
        const prefix = h.prefix();
        const [a, b, c, off] = [h.receiver(), h.receiver(), h.receiver(), h.receiver()];
        const first = await h.endpoint(a, [`${prefix}.*`]);
        const { event_id } = await h.trigger(`${prefix}.sent`);
        await a.waitFor(1);
        await h.endpoint(b, ["*"]);
        await h.endpoint(c, [`${prefix}.other`]);
        await h.endpoint(off, [`${prefix}.*`], false);

        const response = await h.post(`/events/${event_id}/resend`);
        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ deliveries: 2 });
        const [, again] = await a.waitFor(2);
        const [toB] = await b.waitFor(1);
        expect(again?.id).toBe(event_id);
        expect(toB?.id).toBe(event_id);
        expect(toB?.verified).toBe(true);
        await h.settled(first.id, "delivered", 2);
        expect(c.requests).toHaveLength(0);
        expect(off.requests).toHaveLength(0);
      });

      test("one of hookyard's own events goes to those that name it, never to the one it is about", async () => {
        const [a, b, all] = [h.receiver(), h.receiver(), h.receiver()];
        const about = await h.endpoint(a, ["hookyard.*"], false);
        const since = new Date().toISOString();
        // Stored with no endpoint enabled to fan out to.
        const recorded = await h.app.store.events.record({
          source: "trigger",
          type: "hookyard.endpoint.disabled",
          occurredAt: new Date(),
          receivedAt: new Date(),
          payload: { endpoint: { id: about.id, url: a.url } },
          headers: {},
        });
        if (recorded.status !== "stored") throw new Error("expected stored");
        await h.app.request(`/endpoints/${about.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ enabled: true }),
        });
        const named = await h.endpoint(b, ["hookyard.endpoint.*"]);
        await h.endpoint(all, ["*"]);

        const response = await h.post(`/events/${recorded.event.id}/resend`);
        expect(await response.json()).toEqual({ deliveries: 1 });
        const queued = await h.deliveries(`event_id=${recorded.event.id}`);
        expect(queued.map((d) => d.endpoint_id)).toEqual([named.id]);
        const replayed = await h.post(`/endpoints/${about.id}/replay`, { since });
        expect(await replayed.json()).toEqual({ queued: 0 });
      });

      test("an unknown event is a 404", async () => {
        const response = await h.post("/events/no-such-event/resend");
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ error: expect.stringContaining("event") });
      });
    });

    describe("POST /endpoints/:id/test", () => {
      test("sends a signed hookyard.test to that endpoint only and answers the attempt", async () => {
        const receiver = h.receiver();
        const other = h.receiver();
        const endpoint = await h.endpoint(receiver, ["nothing.like.it"]);
        await h.endpoint(other, ["*"]);
        receiver.respond = () => new Response("thanks", { status: 201 });

        const response = await h.post(`/endpoints/${endpoint.id}/test`);
        expect(response.status).toBe(200);
        const outcome = await response.json();
        expect(outcome).toEqual({
          event_id: expect.any(String),
          delivery_id: expect.any(String),
          delivered: true,
          status: 201,
          duration_ms: expect.any(Number),
          error: null,
          response_body: "thanks",
        });
        const [request] = receiver.requests;
        expect(request?.verified).toBe(true);
        expect(request?.id).toBe(outcome.event_id);
        expect(JSON.parse(request?.body ?? "")).toMatchObject({
          type: "hookyard.test",
          data: { endpoint: { id: endpoint.id, url: receiver.url } },
        });
        expect(other.requests).toHaveLength(0);

        // Stored: the event, and its delivery with this one attempt.
        const event = await (await h.app.request(`/events/${outcome.event_id}`)).json();
        expect(event).toMatchObject({ type: "hookyard.test", source: "hookyard" });
        const delivery = await (await h.app.request(`/deliveries/${outcome.delivery_id}`)).json();
        expect(delivery).toMatchObject({
          endpoint_id: endpoint.id,
          status: "delivered",
          attempt_count: 1,
          attempts: [{ status_code: 201, response_body: "thanks" }],
        });
        expect(await h.deliveries(`event_id=${outcome.event_id}`)).toHaveLength(1);
      });

      test("a test event is resent to the endpoint it tested alone, and never replayed", async () => {
        const receiver = h.receiver();
        const other = h.receiver();
        const endpoint = await h.endpoint(receiver, ["*"]);
        const named = await h.endpoint(other, ["hookyard.*", "*"]);
        const since = new Date().toISOString();
        const outcome = await (await h.post(`/endpoints/${endpoint.id}/test`)).json();
        const resent = await h.post(`/events/${outcome.event_id}/resend`);
        expect(await resent.json()).toEqual({ deliveries: 1 });
        const [, again] = await receiver.waitFor(2);
        expect(again?.id).toBe(outcome.event_id);
        const replayed = await h.post(`/endpoints/${named.id}/replay`, { since });
        expect(await replayed.json()).toEqual({ queued: 0 });
        expect(other.requests).toHaveLength(0);
      });

      test("a failing receiver: the status and error, failed at once and not retried", async () => {
        const receiver = h.receiver();
        receiver.respond = () => status(500);
        const endpoint = await h.endpoint(receiver, ["*"]);
        const response = await h.post(`/endpoints/${endpoint.id}/test`, {
          event_type: "custom.check",
        });
        const outcome = await response.json();
        expect(outcome).toMatchObject({
          delivered: false,
          status: 500,
          error: "HTTP 500",
          response_body: "status 500",
        });
        expect(JSON.parse(receiver.requests[0]?.body ?? "").type).toBe("custom.check");
        const delivery = await (await h.app.request(`/deliveries/${outcome.delivery_id}`)).json();
        expect(delivery).toMatchObject({ status: "failed", attempt_count: 1 });
      });

      test("a receiver that is not there: no status, the error, and a disabled endpoint may be tested", async () => {
        const receiver = h.receiver();
        const endpoint = await h.endpoint(receiver, ["*"], false);
        await receiver.stop();
        const response = await h.post(`/endpoints/${endpoint.id}/test`, {});
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({
          delivered: false,
          status: null,
          error: expect.any(String),
        });
      });

      test("a bad event type is a 422 naming it; an unknown endpoint a 404", async () => {
        const endpoint = await h.endpoint(h.receiver(), ["*"]);
        for (const event_type of ["no spaces", "hookyard.endpoint.disabled", 42]) {
          const bad = await h.post(`/endpoints/${endpoint.id}/test`, { event_type });
          expect(bad.status).toBe(422);
          expect((await bad.json()).details).toEqual([
            { field: "event_type", message: expect.any(String) },
          ]);
        }
        const unknown = await h.post("/endpoints/no-such-endpoint/test");
        expect(unknown.status).toBe(404);
        // Neither stored an event.
        expect(await h.deliveries(`endpoint_id=${endpoint.id}`)).toEqual([]);
        const tests = await h.app.store.events.list({ type: "hookyard.test" }, { limit: 500 });
        const tested = tests.items.map(
          (event) => (event.payload as { endpoint: { id: string } }).endpoint.id,
        );
        expect(tested).not.toContain("no-such-endpoint");
      });
    });

    describe("the window and the body", () => {
      const cases: [string, unknown, string][] = [
        ["no since", {}, "since"],
        ["no body", undefined, "since"],
        ["since not a time", { since: "yesterday" }, "since"],
        ["a date without a time", { since: "2026-11-22" }, "since"],
        ["a time without an offset", { since: "2026-11-22T10:00:00" }, "since"],
        ["an impossible date", { since: "2026-02-30T10:00:00Z" }, "since"],
        ["since as a number", { since: 1_700_000_000 }, "since"],
        ["until not a time", { since: "2026-11-22T10:00:00Z", until: "now" }, "until"],
        [
          "until before since",
          { since: "2026-11-22T10:00:00Z", until: "2026-11-22T09:59:59Z" },
          "until",
        ],
        ["an unknown field", { since: "2026-11-22T10:00:00Z", untill: "x" }, "untill"],
        ["an array", [], "body"],
      ];
      for (const [name, body, field] of cases) {
        test(`${name}: 422 naming ${field}, on recover and replay`, async () => {
          const endpoint = await h.endpoint(h.receiver(), ["*"]);
          for (const action of ["recover", "replay"]) {
            const response = await h.post(`/endpoints/${endpoint.id}/${action}`, body);
            expect(response.status).toBe(422);
            const answer = await response.json();
            expect(answer.details.map((d: { field: string }) => d.field)).toContain(field);
          }
        });
      }

      test("RFC 3339 as it allows: lower-case t and z, a space, an offset, fractions", async () => {
        const endpoint = await h.endpoint(h.receiver(), ["*"]);
        for (const since of [
          "2026-11-22t10:00:00z",
          "2026-11-22 10:00:00+02:00",
          "2026-11-22T10:00:00.123456789-05:30",
        ]) {
          const response = await h.post(`/endpoints/${endpoint.id}/recover?dry_run=true`, {
            since,
          });
          expect(response.status).toBe(200);
        }
      });

      test("dry_run other than true or false is a 422 naming it", async () => {
        const endpoint = await h.endpoint(h.receiver(), ["*"]);
        const response = await h.post(`/endpoints/${endpoint.id}/recover?dry_run=yes`, {
          since: hourAgo(),
        });
        expect(response.status).toBe(422);
        expect((await response.json()).details).toEqual([
          { field: "dry_run", message: expect.any(String) },
        ]);
      });

      test("an unknown endpoint is a 404 on recover and replay", async () => {
        for (const action of ["recover", "replay"]) {
          const response = await h.post(`/endpoints/nope/${action}`, { since: hourAgo() });
          expect(response.status).toBe(404);
        }
      });

      test("a body that is not JSON is a 415", async () => {
        const endpoint = await h.endpoint(h.receiver(), ["*"]);
        for (const action of ["recover", "replay", "test"]) {
          const response = await h.app.request(`/endpoints/${endpoint.id}/${action}`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "since=2026-11-22T10:00:00Z",
          });
          expect(response.status).toBe(415);
        }
      });
    });

    test("after all of the above, the worker logged no errors", () => {
      expect(h.logs.entries.filter((entry) => entry.level === "error")).toEqual([]);
    });
  });

  describe(`recovery routes behind ADMIN_TOKEN (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ...SETTINGS, ADMIN_TOKEN: "s3cret" } });
    });
    afterAll(() => app.stop());

    test("every recovery route refuses a request without the token", async () => {
      for (const path of [
        "/endpoints/x/recover",
        "/endpoints/x/replay",
        "/events/x/resend",
        "/endpoints/x/test",
      ]) {
        const response = await postJson(app, path, { since: "2026-11-22T10:00:00Z" });
        expect(response.status).toBe(401);
      }
    });
  });

  describe(`POST /endpoints/:id/test without ALLOW_PRIVATE_ENDPOINTS (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { DELIVERY_TIMEOUT: "2s" } });
      receiver = startReceiver();
    });
    afterAll(async () => {
      await receiver.stop();
      await app.stop();
    });

    test("a test to a private address is refused by the destination check, as a delivery is", async () => {
      // As if its host had resolved to a public address when it was saved.
      const endpoint = await app.store.endpoints.create(
        {
          url: receiver.url,
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["*"],
          enabled: true,
        },
        new Date(),
      );
      const response = await postJson(app, `/endpoints/${endpoint.id}/test`, {});
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        delivered: false,
        status: null,
        error: expect.stringMatching(/^refused: /),
      });
      expect(receiver.requests).toHaveLength(0);
    });
  });
}
