/**
 * Endpoint health and lifecycle through the API, on every database: health on
 * GET /endpoints, hookyard's own events (exhausted, recovered, disabled by a 410 or by
 * ENDPOINT_DISABLE_AFTER) as subscribers receive them, a rotated secret's overlap, and the
 * request and response headers of each attempt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Webhook } from "svix";
import { postJson, startTestApp } from "../support/app.ts";
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

interface Endpoint {
  readonly id: string;
  readonly secret: string;
  readonly url: string;
}

/** An app, its captured log, and helpers over its API. */
async function harness(dialect: "sqlite" | "postgres", settings: Record<string, string>) {
  const logs = capturingLogger();
  const app = await startTestApp(dialect, {
    settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_TIMEOUT: "5s", ...settings },
    log: logs.log,
  });
  const receivers: Receiver[] = [];
  let cases = 0;
  const h = {
    app,
    logs,
    prefix: () => `case${++cases}`,
    receiver(respond: Responder = ok) {
      const receiver = startReceiver(respond);
      receivers.push(receiver);
      return receiver;
    },
    async endpoint(receiver: Receiver, eventTypes: string[]): Promise<Endpoint> {
      const response = await postJson(app, "/endpoints", {
        url: receiver.url,
        event_types: eventTypes,
      });
      expect(response.status).toBe(201);
      const endpoint = (await response.json()) as Endpoint;
      receiver.secret = endpoint.secret;
      return endpoint;
    },
    /** A receiver subscribed to hookyard's own events, verifying them as a receiver would. */
    async watcher() {
      const receiver = h.receiver();
      return { receiver, endpoint: await h.endpoint(receiver, ["hookyard.*"]) };
    },
    async trigger(type: string) {
      const response = await postJson(app, `/trigger/${type}`, "{}");
      expect(response.status).toBe(202);
      return ((await response.json()) as { event_id: string }).event_id;
    },
    async deliveryOf(eventId: string): Promise<{ id: string }> {
      const body = await (await app.request(`/deliveries?event_id=${eventId}`)).json();
      const [delivery] = body.deliveries;
      if (!delivery) throw new Error(`no delivery for ${eventId}`);
      return delivery;
    },
    async get(path: string) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      return response.json();
    },
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

/** A received body, parsed. */
const parsed = (body: string) =>
  JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };

for (const dialect of dialects) {
  describe(`endpoint health and hookyard's own events (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      // Three attempts 50 ms apart; no auto-disable here (see the next block).
      h = await harness(dialect, {
        DELIVERY_RETRY_SCHEDULE: "50ms,50ms",
        ENDPOINT_DISABLE_AFTER: "0",
        SECRET_ROTATION_OVERLAP: "1500ms",
      });
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    test("POST /trigger refuses hookyard's own event types: subscribers trust them to be hookyard's", async () => {
      const response = await postJson(h.app, "/trigger/hookyard.endpoint.disabled", {});
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        details: [{ field: "event_type", message: '"hookyard." types are hookyard\'s own' }],
      });
    });

    test("GET /endpoints shows each endpoint's health; GET /endpoints/:id the same", async () => {
      const prefix = h.prefix();
      const fine = await h.endpoint(h.receiver(), [`${prefix}.*`]);
      const down = await h.endpoint(
        h.receiver(() => status(500)),
        [`${prefix}.*`],
      );
      await h.trigger(`${prefix}.a`);
      await h.trigger(`${prefix}.b`);
      // Two deliveries each, the failing ones three attempts each.
      await until(
        () => h.logs.attempts().length >= 8,
        10_000,
        () => `waited for 8 attempts, got ${h.logs.attempts().length}`,
      );
      const { endpoints } = await h.get("/endpoints");
      const byId = new Map(endpoints.map((e: { id: string }) => [e.id, e]));
      expect(byId.get(fine.id)).toMatchObject({
        state: "healthy",
        deliveries_24h: { delivered: 2, failed: 0, pending: 0 },
        success_rate: 1,
        last_attempt_at: expect.any(String),
        last_status: 200,
        consecutive_failures: 0,
        failing_since: null,
      });
      expect(byId.get(down.id)).toMatchObject({
        state: "failing",
        deliveries_24h: { delivered: 0, failed: 2, pending: 0 },
        success_rate: 0,
        last_status: 500,
        consecutive_failures: 6,
        failing_since: expect.any(String),
      });
      expect(await h.get(`/endpoints/${down.id}`)).toMatchObject({
        ...(byId.get(down.id) as object),
        secret: down.secret,
      });
    });

    test("a delivery whose last attempt fails is announced, signed, to subscribers, not to its endpoint", async () => {
      const prefix = h.prefix();
      const watcher = await h.watcher();
      // It subscribes to hookyard's events too, and must still never hear about itself.
      const failing = h.receiver(() => status(500));
      const endpoint = await h.endpoint(failing, [`${prefix}.*`, "hookyard.*"]);
      const eventId = await h.trigger(`${prefix}.paid`);
      const delivery = await h.deliveryOf(eventId);

      const [notice] = await watcher.receiver.waitFor(1);
      expect(notice?.verified).toBe(true);
      expect(parsed(notice?.body ?? "{}")).toMatchObject({
        type: "hookyard.delivery.exhausted",
        data: {
          endpoint: { id: endpoint.id, url: endpoint.url },
          delivery_id: delivery.id,
          event_id: eventId,
          event_type: `${prefix}.paid`,
          attempts: 3,
          last_status_code: 500,
          last_error: "HTTP 500",
          failed_at: expect.any(String),
        },
      });
      // Stored like any event, under a source of its own.
      const stored = await h.get(`/events/${notice?.id}`);
      expect(stored).toMatchObject({ source: "hookyard", type: "hookyard.delivery.exhausted" });
      const listed = await h.get("/events?source=hookyard");
      expect(listed.events.map((e: { id: string }) => e.id)).toContain(notice?.id);
      expect(failing.requests.every((r) => !parsed(r.body).type.startsWith("hookyard."))).toBe(
        true,
      );
      expect(failing.requests).toHaveLength(3);
    });

    test("a success after failures is announced as a recovery, with the failures it ended", async () => {
      const prefix = h.prefix();
      const watcher = await h.watcher();
      const flaky = h.receiver((r) => (r.index < 2 ? status(503) : ok(r)));
      const endpoint = await h.endpoint(flaky, [`${prefix}.*`]);
      const eventId = await h.trigger(`${prefix}.x`);
      const delivery = await h.deliveryOf(eventId);

      const [notice] = await watcher.receiver.waitFor(1);
      expect(parsed(notice?.body ?? "{}")).toEqual({
        type: "hookyard.endpoint.recovered",
        timestamp: expect.any(String),
        data: {
          endpoint: { id: endpoint.id, url: endpoint.url },
          recovered_at: expect.any(String),
          failed_attempts: 2,
          failing_since: expect.any(String),
          delivery_id: delivery.id,
          event_id: eventId,
          status_code: 200,
        },
      });
      expect(await h.get(`/endpoints/${endpoint.id}`)).toMatchObject({
        state: "healthy",
        consecutive_failures: 0,
        last_status: 200,
      });
      expect(h.logs.entries.some((e) => e.msg === "endpoint recovered")).toBe(true);
    });

    test("an endpoint that answers 410 is disabled, and that is announced with the reason", async () => {
      const prefix = h.prefix();
      const watcher = await h.watcher();
      const endpoint = await h.endpoint(
        h.receiver(() => status(410)),
        [`${prefix}.*`],
      );
      await h.trigger(`${prefix}.x`);
      const [notice] = await watcher.receiver.waitFor(1);
      expect(parsed(notice?.body ?? "{}")).toMatchObject({
        type: "hookyard.endpoint.disabled",
        data: {
          endpoint: { id: endpoint.id },
          reason: "endpoint answered 410 Gone",
          cause: "gone",
          status_code: 410,
        },
      });
      expect(await h.get(`/endpoints/${endpoint.id}`)).toMatchObject({
        enabled: false,
        state: "disabled",
        disabled_reason: "endpoint answered 410 Gone",
      });
    });

    test("GET /deliveries/:id shows each attempt's response headers and the request headers it sent", async () => {
      const prefix = h.prefix();
      const receiver = h.receiver(
        () => new Response("ok", { headers: { "x-request-id": "rcv-1", "set-cookie": "s=1" } }),
      );
      await h.endpoint(receiver, [`${prefix}.*`]);
      const eventId = await h.trigger(`${prefix}.x`);
      const delivery = await h.deliveryOf(eventId);
      const [sent] = await receiver.waitFor(1);
      await h.logs.waitForAttempts(1, delivery.id);

      const { attempts } = await h.get(`/deliveries/${delivery.id}`);
      expect(attempts).toHaveLength(1);
      expect(attempts[0].response_headers).toMatchObject({
        "x-request-id": "rcv-1",
        "set-cookie": "s=1",
        "content-type": expect.stringContaining("text/plain"),
      });
      // Exactly what the receiver got, but the signature.
      const received = Object.fromEntries(sent?.headers ?? []);
      expect(attempts[0].request_headers).toEqual({
        "content-type": received["content-type"],
        "webhook-id": eventId,
        "webhook-timestamp": received["webhook-timestamp"],
        "user-agent": received["user-agent"],
      });
      expect(Object.keys(attempts[0].request_headers)).not.toContain("webhook-signature");
    });

    test("a rotated secret keeps signing beside the new one until SECRET_ROTATION_OVERLAP ends", async () => {
      const prefix = h.prefix();
      const receiver = h.receiver();
      const endpoint = await h.endpoint(receiver, [`${prefix}.*`]);
      const response = await h.app.request(`/endpoints/${endpoint.id}/rotate-secret`, {
        method: "POST",
      });
      expect(response.status).toBe(200);
      const rotated = await response.json();
      expect(rotated.secret).not.toBe(endpoint.secret);
      const expiresAt = Date.parse(rotated.previous_secret_expires_at);
      expect(expiresAt - Date.now()).toBeGreaterThan(1_000);
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(1_500);

      await h.trigger(`${prefix}.during`);
      const [during] = await receiver.waitFor(1);
      const headers = Object.fromEntries(during?.headers ?? []);
      expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
      // Receivers with either secret verify it, with the svix library.
      expect(() => new Webhook(endpoint.secret).verify(during?.body ?? "", headers)).not.toThrow();
      expect(() => new Webhook(rotated.secret).verify(during?.body ?? "", headers)).not.toThrow();

      await until(
        () => Date.now() > expiresAt,
        5_000,
        () => "the overlap never ended",
      );
      await h.trigger(`${prefix}.after`);
      const [, after] = await receiver.waitFor(2);
      const later = Object.fromEntries(after?.headers ?? []);
      expect(later["webhook-signature"]?.split(" ")).toHaveLength(1);
      expect(() => new Webhook(rotated.secret).verify(after?.body ?? "", later)).not.toThrow();
      expect(() => new Webhook(endpoint.secret).verify(after?.body ?? "", later)).toThrow();
    });
  });

  describe(`auto-disable after ENDPOINT_DISABLE_AFTER (${dialect})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(dialect, {
        DELIVERY_RETRY_SCHEDULE: "100ms,100ms,100ms,100ms,100ms,100ms,100ms",
        ENDPOINT_DISABLE_AFTER: "300ms",
      });
    });
    afterEach(() => h.cleanUp());
    afterAll(() => h.app.stop());

    test("an endpoint whose attempts all failed that long is disabled, with the reason, and that is announced", async () => {
      const prefix = h.prefix();
      const watcher = await h.watcher();
      const down = h.receiver(() => status(500));
      const endpoint = await h.endpoint(down, [`${prefix}.*`, "hookyard.*"]);
      await h.trigger(`${prefix}.x`);

      const [notice] = await watcher.receiver.waitFor(1);
      expect(notice?.verified).toBe(true);
      const { data } = parsed(notice?.body ?? "{}");
      expect(parsed(notice?.body ?? "{}").type).toBe("hookyard.endpoint.disabled");
      expect(data).toMatchObject({
        endpoint: { id: endpoint.id, url: endpoint.url },
        cause: "failing",
        reason: `every delivery failed for 300ms (since ${data.failing_since})`,
        status_code: 500,
      });
      expect(
        Date.parse(data.disabled_at as string) - Date.parse(data.failing_since as string),
      ).toBeGreaterThanOrEqual(300);
      expect(await h.get(`/endpoints/${endpoint.id}`)).toMatchObject({
        enabled: false,
        state: "disabled",
        disabled_reason: data.reason,
      });
      // Disabled, it is sent nothing more, hookyard's news about it included.
      // At least the first failure and one 300 ms later (fewer retries fit in that time on
      // a loaded machine), and never all eight the schedule allows.
      const made = down.requests.length;
      expect(made).toBeGreaterThanOrEqual(2);
      expect(made).toBeLessThan(8);
      expect(down.requests.every((r) => !parsed(r.body).type.startsWith("hookyard."))).toBe(true);
    });
  });
}
