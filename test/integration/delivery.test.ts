import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import {
  capturingLogger,
  endlessResponse,
  ok,
  type Receiver,
  startReceiver,
  status,
} from "../support/receiver.ts";

/** Short enough to watch a whole schedule in a test; the jitter is ±10%. */
const SCHEDULE = { DELIVERY_RETRY_SCHEDULE: "50ms,100ms" };

/** The test app, its captured log, and helpers over its API. */
async function deliveryHarness(dialect: "sqlite" | "postgres", settings: Record<string, string>) {
  const logs = capturingLogger();
  const app = await startTestApp(dialect, { settings, log: logs.log });
  const receivers: Receiver[] = [];
  let cases = 0;

  const harness = {
    app,
    logs,
    /** A fresh event type prefix per test, so endpoints only see their own test's events. */
    uniquePrefix: () => `case${++cases}`,
    receiver(respond = ok) {
      const receiver = startReceiver(respond);
      receivers.push(receiver);
      return receiver;
    },
    async endpoint(receiver: Receiver, body: Record<string, unknown>) {
      const response = await postJson(app, "/endpoints", { url: receiver.url, ...body });
      expect(response.status).toBe(201);
      const endpoint = await response.json();
      receiver.secret = endpoint.secret;
      return endpoint as { id: string; secret: string };
    },
    async trigger(type: string, payload: unknown = { n: 1 }) {
      const response = await postJson(app, `/trigger/${type}`, JSON.stringify(payload));
      expect(response.status).toBe(202);
      return (await response.json()) as { event_id: string; deliveries: number };
    },
    async deliveriesOf(eventId: string) {
      const body = await (await app.request(`/deliveries?event_id=${eventId}`)).json();
      return body.deliveries as { id: string; endpoint_id: string; status: string }[];
    },
    async deliveryOf(eventId: string) {
      const [delivery] = await harness.deliveriesOf(eventId);
      if (!delivery) throw new Error(`no delivery for event ${eventId}`);
      return delivery;
    },
    async withAttempts(deliveryId: string) {
      return (await app.request(`/deliveries/${deliveryId}`)).json();
    },
    async cleanUp() {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
      await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    },
  };
  return harness;
}

type Harness = Awaited<ReturnType<typeof deliveryHarness>>;

for (const dialect of dialects) {
  describe(`outbound delivery (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await deliveryHarness(dialect, {
        ...SCHEDULE,
        ALLOW_PRIVATE_ENDPOINTS: "true",
        DELIVERY_TIMEOUT: "5s",
      });
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    test("a triggered event is delivered, signed so that svix's Webhook.verify accepts it", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver();
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const before = h.app.ctx.metrics.deliveries.get({ outcome: "delivered" });
      const { event_id, deliveries } = await h.trigger(`${prefix}.created`, { order: 42 });
      expect(deliveries).toBe(1);

      const [request] = await receiver.waitFor(1);
      expect(request?.verifyError).toBeUndefined();
      expect(request?.verified).toBe(true);
      const event = await (await h.app.request(`/events/${event_id}`)).json();
      expect(JSON.parse(request?.body ?? "")).toEqual({
        type: `${prefix}.created`,
        timestamp: event.occurred_at,
        data: { order: 42 },
      });
      expect(request?.id).toBe(event_id);
      expect(request?.headers.get("content-type")).toBe("application/json");
      expect(request?.headers.get("user-agent")).toBe("hookyard/0.0.0-test");
      const sentAt = Number(request?.headers.get("webhook-timestamp")) * 1000;
      expect(Math.abs(Date.now() - sentAt)).toBeLessThan(5_000);

      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);
      expect(await h.withAttempts(delivery.id)).toMatchObject({
        status: "delivered",
        attempt_count: 1,
        last_status_code: 200,
        delivered_at: expect.any(String),
        attempts: [{ status_code: 200, error: null, response_body: "ok" }],
      });
      expect(h.app.ctx.metrics.deliveries.get({ outcome: "delivered" })).toBe(before + 1);
    });

    test("a failing receiver is retried on the schedule with the same webhook-id, then failed", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver(() => status(500));
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.failing`);
      const delivery = await h.deliveryOf(event_id);

      const requests = await receiver.waitFor(3);
      expect(requests.map((r) => r.id)).toEqual([event_id, event_id, event_id]);
      expect(requests.every((r) => r.verified)).toBe(true);
      const [first, second, third] = requests.map((r) => r.arrivedAt) as [number, number, number];
      // 50 ms and 100 ms, less the 10% jitter at most; well under the idle poll interval.
      expect(second - first).toBeGreaterThanOrEqual(45);
      expect(second - first).toBeLessThan(900);
      expect(third - second).toBeGreaterThanOrEqual(90);
      expect(third - second).toBeLessThan(900);

      await h.logs.waitForAttempts(3, delivery.id);
      const stored = await h.withAttempts(delivery.id);
      expect(stored).toMatchObject({
        status: "failed",
        attempt_count: 3,
        next_attempt_at: null,
        last_status_code: 500,
        last_error: "HTTP 500",
      });
      expect(stored.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([
        500, 500, 500,
      ]);
      const times = stored.attempts.map((a: { attempted_at: string }) =>
        Date.parse(a.attempted_at),
      );
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(stored.attempts[0].response_body).toBe("status 500");
      expect(h.logs.attempts(delivery.id).map((e) => e.outcome)).toEqual([
        "retrying",
        "retrying",
        "failed",
      ]);
      expect(receiver.requests).toHaveLength(3);
    });

    test("a manual retry of a failed delivery sends it again with the same webhook-id", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver(() => status(500));
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.retried`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(3, delivery.id);

      receiver.respond = ok;
      const response = await h.app.request(`/deliveries/${delivery.id}/retry`, { method: "POST" });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: "pending", attempt_count: 0 });
      const requests = await receiver.waitFor(4);
      expect(requests[3]?.id).toBe(event_id);
      expect(requests[3]?.verified).toBe(true);

      await h.logs.waitForAttempts(4, delivery.id);
      const stored = await h.withAttempts(delivery.id);
      expect(stored).toMatchObject({
        status: "delivered",
        attempt_count: 1,
        last_status_code: 200,
      });
      expect(stored.attempts).toHaveLength(4);
    });

    test("Retry-After on a 429 or a 503 delays the retry at least that long", async () => {
      const prefix = h.uniquePrefix();
      const limited = h.receiver((r) =>
        r.index === 0 ? status(429, { "retry-after": "1" }) : ok(r),
      );
      const unavailable = h.receiver((r) =>
        r.index === 0 ? status(503, { "retry-after": "1" }) : ok(r),
      );
      await h.endpoint(limited, { event_types: [`${prefix}.*`] });
      await h.endpoint(unavailable, { event_types: [`${prefix}.*`] });
      const { event_id, deliveries } = await h.trigger(`${prefix}.busy`);
      expect(deliveries).toBe(2);

      for (const receiver of [limited, unavailable]) {
        const [first, second] = await receiver.waitFor(2, 5_000);
        expect((second?.arrivedAt ?? 0) - (first?.arrivedAt ?? 0)).toBeGreaterThanOrEqual(1_000);
        expect(second?.id).toBe(first?.id ?? "");
      }
      for (const delivery of await h.deliveriesOf(event_id)) {
        await h.logs.waitForAttempts(2, delivery.id);
        expect((await h.withAttempts(delivery.id)).status).toBe("delivered");
      }
    });

    test("a 410 fails the delivery at once and disables the endpoint", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver(() => status(410));
      const endpoint = await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.gone`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);

      expect(await h.withAttempts(delivery.id)).toMatchObject({
        status: "failed",
        attempt_count: 1,
        last_status_code: 410,
      });
      expect(receiver.requests).toHaveLength(1);
      const disabled = await (await h.app.request(`/endpoints/${endpoint.id}`)).json();
      expect(disabled).toMatchObject({
        enabled: false,
        disabled_reason: "endpoint answered 410 Gone",
      });
      expect((await h.trigger(`${prefix}.again`)).deliveries).toBe(0);
      const retry = await h.app.request(`/deliveries/${delivery.id}/retry`, { method: "POST" });
      expect(retry.status).toBe(409);
      expect((await retry.json()).error).toContain("endpoint is disabled");
    });

    test("re-enabling an endpoint sends what waited for it at once, not at the next poll", async () => {
      const prefix = h.uniquePrefix();
      let endpointId = "";
      // The first attempt disables the endpoint behind hookyard's back, then fails: its retry
      // falls due while the endpoint is disabled.
      const receiver = h.receiver(async (r) => {
        if (r.index > 0) return ok(r);
        await h.app.store.endpoints.update(endpointId, { enabled: false }, new Date());
        return status(500);
      });
      endpointId = (await h.endpoint(receiver, { event_types: [`${prefix}.*`] })).id;
      const { event_id } = await h.trigger(`${prefix}.paused`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);
      // Let the retry fall due while the endpoint is disabled, so that the worker, finding
      // nothing it may claim, goes to sleep until its next poll (1 s). Nothing to await here
      // but the clock: the worker's sleep is not observable.
      const { next_attempt_at } = await h.withAttempts(delivery.id);
      await Bun.sleep(Math.max(0, Date.parse(next_attempt_at) - Date.now()) + 150);

      const enabledAt = performance.now();
      const response = await h.app.request(`/endpoints/${endpointId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled: true }),
      });
      expect(response.status).toBe(200);
      const [, second] = await receiver.waitFor(2);
      expect(second?.id).toBe(event_id);
      expect((second?.arrivedAt ?? Infinity) - enabledAt).toBeLessThan(500);
    });

    test("a redirect is a failed attempt and is not followed", async () => {
      const prefix = h.uniquePrefix();
      const target = h.receiver();
      const receiver = h.receiver(() => status(302, { location: target.url }));
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.moved`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);

      const stored = await h.withAttempts(delivery.id);
      expect(stored.status).toBe("pending");
      expect(stored.attempts[0]).toMatchObject({
        status_code: 302,
        error: `HTTP 302: redirect to ${target.url} not followed`,
      });
      expect(target.requests).toHaveLength(0);
    });

    test("of a huge response only the first 4 KB are read and kept", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver(() => endlessResponse());
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.chatty`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);

      const stored = await h.withAttempts(delivery.id);
      expect(stored.status).toBe("delivered");
      expect(stored.attempts[0].response_body).toBe("a".repeat(4096));
    });

    test("events go to the endpoints whose filters match: exact, prefix.*, * and none", async () => {
      const p = h.uniquePrefix();
      const subscribe = async (body: Record<string, unknown>) => {
        const receiver = h.receiver();
        return { receiver, ...(await h.endpoint(receiver, body)) };
      };
      const exact = await subscribe({ event_types: [`${p}.exact`] });
      const prefix = await subscribe({ event_types: [`${p}.*`] });
      const all = await subscribe({ event_types: ["*"] });
      const unfiltered = await subscribe({ event_types: [] });
      const other = await subscribe({ event_types: [`${p}x.*`, `other.${p}`] });
      const off = await subscribe({ event_types: ["*"], enabled: false });

      const expected: [string, string[]][] = [
        [`${p}.exact`, [exact.id, prefix.id, all.id, unfiltered.id]],
        [`${p}.other`, [prefix.id, all.id, unfiltered.id]],
        [`${p}x`, [all.id, unfiltered.id]],
      ];
      for (const [type, endpoints] of expected) {
        const { event_id, deliveries } = await h.trigger(type);
        expect(deliveries).toBe(endpoints.length);
        const queued = await h.deliveriesOf(event_id);
        expect(queued.map((d) => d.endpoint_id).sort()).toEqual([...endpoints].sort());
      }
      for (const [endpoint, count] of [
        [exact, 1],
        [prefix, 2],
        [all, 3],
        [unfiltered, 3],
      ] as const) {
        const requests = await endpoint.receiver.waitFor(count);
        expect(requests.every((r) => r.verified)).toBe(true);
      }
      expect(other.receiver.requests).toHaveLength(0);
      expect(off.receiver.requests).toHaveLength(0);
    });

    test("a disabled endpoint gets nothing", async () => {
      const prefix = h.uniquePrefix();
      const on = h.receiver();
      const off = h.receiver();
      await h.endpoint(on, { event_types: [`${prefix}.*`] });
      const disabled = await h.endpoint(off, { event_types: [`${prefix}.*`], enabled: false });
      const { event_id, deliveries } = await h.trigger(`${prefix}.quiet`);
      expect(deliveries).toBe(1);
      await on.waitFor(1);
      const queued = await h.deliveriesOf(event_id);
      expect(queued.map((d) => d.endpoint_id)).not.toContain(disabled.id);
      expect(off.requests).toHaveLength(0);
    });

    test("GET /deliveries filters by endpoint and status and pages newest first", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver();
      const endpoint = await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const events = [];
      for (let i = 0; i < 3; i++) events.push((await h.trigger(`${prefix}.n`, { i })).event_id);
      await receiver.waitFor(3);
      const page = async (query: string) =>
        (await h.app.request(`/deliveries?endpoint_id=${endpoint.id}&${query}`)).json();
      const first = await page("limit=2");
      expect(first.deliveries.map((d: { event_id: string }) => d.event_id)).toEqual([
        events[2],
        events[1],
      ]);
      expect(first.next_cursor).toBeString();
      const second = await page(`limit=2&cursor=${first.next_cursor}`);
      expect(second.deliveries.map((d: { event_id: string }) => d.event_id)).toEqual([events[0]]);
      expect(second.next_cursor).toBeNull();
      expect((await page("status=failed")).deliveries).toEqual([]);
    });

    test("after all of the above, the worker logged no errors", () => {
      expect(h.logs.entries.filter((e) => e.level === "error")).toEqual([]);
    });
  });

  describe(`outbound delivery with DELIVERY_TIMEOUT=200ms (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await deliveryHarness(dialect, {
        ...SCHEDULE,
        ALLOW_PRIVATE_ENDPOINTS: "true",
        DELIVERY_TIMEOUT: "200ms",
      });
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    test("a receiver that never answers is a failed attempt with the timeout recorded", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver(() => new Promise<Response>(() => {}));
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      const { event_id } = await h.trigger(`${prefix}.silence`);
      const delivery = await h.deliveryOf(event_id);
      await h.logs.waitForAttempts(1, delivery.id);

      const stored = await h.withAttempts(delivery.id);
      expect(stored).toMatchObject({ status: "pending", attempt_count: 1, last_status_code: null });
      expect(stored.attempts[0]).toMatchObject({
        status_code: null,
        error: "timeout after 200 ms",
        response_body: null,
      });
      expect(stored.attempts[0].duration_ms).toBeGreaterThanOrEqual(195);
      expect(Date.parse(stored.next_attempt_at)).toBeGreaterThan(
        Date.parse(stored.attempts[0].attempted_at),
      );
    });

    test("an attempt whose record never answers is made again once its lease is over, and recorded then", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver();
      await h.endpoint(receiver, { event_types: [`${prefix}.*`] });
      // The first record is a write the database never answers (a query postgres.js left
      // unsettled); a writer waiting on it for good would hold up every record after it.
      const deliveries = h.app.store.deliveries;
      const finishAttempts = deliveries.finishAttempts;
      let records = 0;
      deliveries.finishAttempts = (finished) =>
        records++ === 0 ? new Promise(() => {}) : finishAttempts.call(deliveries, finished);
      try {
        const { event_id } = await h.trigger(`${prefix}.unrecorded`);
        const delivery = await h.deliveryOf(event_id);
        await h.logs.waitForAttempts(1, delivery.id);

        const [first, second] = await receiver.waitFor(2);
        expect([first?.id, second?.id]).toEqual([event_id, event_id]);
        // Not before the first lease (2 s, the least there is) ran out: at least once.
        expect((second?.arrivedAt ?? 0) - (first?.arrivedAt ?? 0)).toBeGreaterThanOrEqual(1_900);
        expect(await h.withAttempts(delivery.id)).toMatchObject({
          status: "delivered",
          attempt_count: 1,
        });
        expect(
          h.logs.entries.filter((e) => e.msg === "deliveries: recording an attempt failed"),
        ).toMatchObject([{ level: "error" }]);
      } finally {
        deliveries.finishAttempts = finishAttempts;
      }
    }, 15_000);
  });

  describe(`outbound delivery without ALLOW_PRIVATE_ENDPOINTS (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await deliveryHarness(dialect, { ...SCHEDULE });
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    test("a receiver on 127.0.0.1 cannot be registered: 422", async () => {
      const receiver = h.receiver();
      const response = await postJson(h.app, "/endpoints", { url: receiver.url });
      expect(response.status).toBe(422);
      expect((await response.json()).details).toEqual([
        {
          field: "url",
          message:
            "endpoint URL points to a loopback address (127.0.0.1); set ALLOW_PRIVATE_ENDPOINTS=true to allow it",
        },
      ]);
    });

    test("the destination is checked again at delivery time: a private one is a refused attempt", async () => {
      const prefix = h.uniquePrefix();
      const receiver = h.receiver();
      // As if the endpoint's host had resolved to a public address when it was saved.
      const endpoint = await h.app.store.endpoints.create(
        {
          url: receiver.url,
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: [`${prefix}.*`],
          enabled: true,
        },
        new Date(),
      );
      const { event_id } = await h.trigger(`${prefix}.rebound`);
      const delivery = await h.deliveryOf(event_id);
      expect(delivery.endpoint_id).toBe(endpoint.id);
      await h.logs.waitForAttempts(1, delivery.id);

      const stored = await h.withAttempts(delivery.id);
      expect(stored.status).toBe("pending");
      expect(stored.attempts[0]).toMatchObject({ status_code: null, response_body: null });
      expect(stored.attempts[0].error).toStartWith(
        "refused: endpoint URL points to a loopback address",
      );
      expect(receiver.requests).toHaveLength(0);
    });
  });
}
