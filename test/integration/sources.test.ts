/**
 * Sources end to end, on both databases: a request signed as its provider signs it comes
 * in at /in/<name>, is stored as <name>.<type>, and reaches an endpoint whose payload
 * filter takes it, and only such an endpoint. Plus the management API, the failure paths
 * and a source declared in the config file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readDeclaredSources } from "../../src/sources/declared.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import {
  apiKeyRequest,
  basicRequest,
  githubRequest,
  hmacRequest,
  type SignedRequest,
  shopifyRequest,
  slackRequest,
  standardWebhooksRequest,
  stripeRequest,
} from "../support/provider-requests.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { until } from "../support/until.ts";

const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Kind {
  readonly verifier: Record<string, unknown>;
  /** A genuine request for an event carrying `amount`, numbered `n` (ids differ). */
  readonly request: (amount: number, n: number) => SignedRequest;
  /** The type it is stored under, after `<name>.`. */
  readonly type: string;
  /** A header that must not be stored. */
  readonly credential?: string;
  /** Where the amount sits in the payload, for the endpoint's filter; `amount` unless said. */
  readonly amountPath?: string;
}

const KINDS: Record<string, Kind> = {
  stripe: {
    verifier: { type: "stripe", secret: "whsec_stripe_test_secret" },
    request: (amount, n) =>
      stripeRequest("whsec_stripe_test_secret", {
        id: `evt_${n}`,
        type: "invoice.paid",
        data: { object: { amount } },
      }),
    type: "invoice.paid",
    amountPath: "data.object.amount",
  },
  shopify: {
    verifier: { type: "shopify", secret: "shpss_test" },
    request: (amount, n) => shopifyRequest("shpss_test", "orders/create", `wh-${n}`, { amount }),
    type: "orders.create",
  },
  slack: {
    verifier: { type: "slack", secret: "8f742231b10e8888abcd99yyyzzz85a5" },
    request: (amount, n) =>
      slackRequest("8f742231b10e8888abcd99yyyzzz85a5", {
        type: "event_callback",
        event_id: `Ev${n}`,
        event: { type: "message", amount },
      }),
    type: "message",
    amountPath: "event.amount",
  },
  github: {
    verifier: { type: "github", secret: "It's a Secret to Everybody" },
    request: (amount, n) =>
      githubRequest("It's a Secret to Everybody", "issues", `d-${n}`, { amount }),
    type: "issues",
  },
  "standard-webhooks": {
    verifier: { type: "standard-webhooks", secret: WHSEC },
    request: (amount, n) =>
      standardWebhooksRequest(
        WHSEC,
        `msg_${n}`,
        { type: "task.done", amount },
        n % 2 ? "svix" : "webhook",
      ),
    type: "task.done",
  },
  hmac: {
    verifier: { type: "hmac", secret: "s3cret", header: "x-signature", prefix: "sha256=" },
    request: (amount, n) =>
      hmacRequest("s3cret", "x-signature", "sha256=", { kind: "order", amount, n }),
    type: "unknown",
  },
  basic: {
    verifier: { type: "basic", username: "hooks", secret: "correct horse" },
    request: (amount, n) => basicRequest("hooks", "correct horse", { amount, n }),
    type: "unknown",
    credential: "authorization",
  },
  "api-key": {
    verifier: { type: "api-key", header: "x-api-key", secret: "key-123456" },
    request: (amount, n) => apiKeyRequest("x-api-key", "key-123456", { amount, n }),
    type: "unknown",
    credential: "x-api-key",
  },
  none: {
    verifier: { type: "none" },
    request: (amount, n) => ({
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount, n }),
    }),
    type: "unknown",
  },
};

for (const dialect of dialects) {
  describe(`sources (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;
    let sequence = 0;

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
      receiver = startReceiver();
    });
    afterAll(async () => {
      await app.stop();
      await receiver.stop();
    });

    const send = (name: string, request: SignedRequest) =>
      app.request(`/in/${name}`, { method: "POST", headers: request.headers, body: request.body });

    test("POST /sources answers the URL to give the provider, secrets masked; GET lists it; a second one of that name is a 409", async () => {
      const response = await postJson(app, "/sources", {
        name: "stripe-main",
        verifier: {
          type: "stripe",
          secrets: ["whsec_0123456789abcdefghij", "whsec_old_one_kept_a_while"],
        },
        description: "live",
      });
      expect(response.status).toBe(201);
      const created = await response.json();
      expect(created).toMatchObject({
        name: "stripe-main",
        url: `${app.url}/in/stripe-main`,
        verifier: { type: "stripe", tolerance: "5m", secrets: ["whsec_…ghij", "whsec_…hile"] },
        event_type: null,
        declared_in: "api",
      });
      expect(JSON.stringify(created)).not.toContain("0123456789");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const again = await postJson(app, "/sources", {
        name: "stripe-main",
        verifier: { type: "none" },
      });
      expect(again.status).toBe(409);
      const { sources } = await (await app.request("/sources")).json();
      expect(sources.map((s: { name: string }) => s.name)).toContain("stripe-main");
      expect(await (await app.request("/sources/stripe-main")).json()).toEqual(created);
    });

    test("a bad source is a 422 naming every bad field, and nothing is stored", async () => {
      const response = await postJson(app, "/sources", {
        name: "Bad Name",
        verifier: { type: "hmac", secret: "x", algorithm: "md5" },
        event_type: "{{nope.x}}",
        extra: true,
      });
      expect(response.status).toBe(422);
      const { details } = await response.json();
      const fields = details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          "extra",
          "name",
          "verifier.header",
          "verifier.algorithm",
          "event_type",
        ]),
      );
      expect((await app.request("/sources/Bad Name")).status).toBe(404);
    });

    test("PATCH rotates a source's secrets without a restart; the name cannot change; DELETE makes /in/<name> a 404", async () => {
      await postJson(app, "/sources", {
        name: "rotating",
        verifier: { type: "shopify", secret: "old" },
      });
      const signed = (secret: string) =>
        shopifyRequest(secret, "orders/paid", `r-${++sequence}`, { n: sequence });
      expect((await send("rotating", signed("new"))).status).toBe(401);
      const patch = await app.request("/sources/rotating", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ verifier: { type: "shopify", secrets: ["new", "old"] } }),
      });
      expect(patch.status).toBe(200);
      expect((await send("rotating", signed("new"))).status).toBe(201);
      expect((await send("rotating", signed("old"))).status).toBe(201);
      const rename = await app.request("/sources/rotating", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "other" }),
      });
      expect(rename.status).toBe(422);
      expect((await app.request("/sources/rotating", { method: "DELETE" })).status).toBe(204);
      // A source that is not there: 404 for every route that names one.
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const missing = await app.request("/sources/rotating", {
          method,
          headers: { "content-type": "application/json" },
          ...(method === "PATCH" ? { body: JSON.stringify({ description: "x" }) } : {}),
        });
        expect({ method, status: missing.status }).toEqual({ method, status: 404 });
        expect((await missing.json()).error).toContain('no source named "rotating"');
      }
      const gone = await send("rotating", signed("new"));
      expect(gone.status).toBe(404);
      expect((await gone.json()).error).toContain('no source named "rotating"');
    });

    for (const [kind, spec] of Object.entries(KINDS)) {
      test(`${kind}: a genuine request is stored as <name>.${spec.type} with its body as received, and delivered where the filter takes it`, async () => {
        const name = `src-${kind}`;
        const created = await postJson(app, "/sources", { name, verifier: spec.verifier });
        expect(created.status).toBe(201);
        const endpoint = await (
          await postJson(app, "/endpoints", {
            url: `${receiver.url}/${kind}`,
            event_types: [`${name}.*`],
            filter: { [spec.amountPath ?? "amount"]: { $gte: 100 } },
          })
        ).json();
        expect(endpoint.filter).toEqual({ [spec.amountPath ?? "amount"]: { $gte: 100 } });

        const big = spec.request(500, ++sequence);
        const stored = await send(name, big);
        expect(stored.status).toBe(201);
        const { event_id: bigId, type } = await stored.json();
        expect(type).toBe(`${name}.${spec.type}`);
        const small = await send(name, spec.request(5, ++sequence));
        expect(small.status).toBe(201);
        const { event_id: smallId } = await small.json();

        // The same request again is a duplicate, not a second event.
        const repeat = await send(name, big);
        expect(repeat.status).toBe(200);
        expect(await repeat.json()).toEqual({ duplicate: true, event_id: bigId });

        const event = await (await app.request(`/events/${bigId}`)).json();
        expect(event).toMatchObject({ source: name, type, body: big.body });
        expect(event.payload).toEqual(JSON.parse(big.body));
        if (spec.credential) expect(event.headers[spec.credential]).toBeUndefined();

        const deliveries = async (eventId: string) =>
          (await app.store.deliveries.list({ eventId, endpointId: endpoint.id }, { limit: 5 }))
            .items;
        expect(await deliveries(bigId)).toHaveLength(1);
        expect(await deliveries(smallId)).toHaveLength(0);
        // The receiver is shared by every kind: wait for this event's own delivery.
        await until(
          () => receiver.requests.some((r) => r.id === bigId),
          10_000,
          () => `no delivery of ${bigId} reached the receiver`,
        );
        const delivered = receiver.requests.find((r) => r.id === bigId);
        expect(JSON.parse(delivered?.body ?? "{}")).toMatchObject({
          type,
          data: JSON.parse(big.body),
        });
      });

      if (kind !== "none") {
        test(`${kind}: a request without its credentials is a 401 that names what is missing, and nothing is stored`, async () => {
          const name = `src-${kind}`;
          const before = (await (await app.request(`/events?source=${name}`)).json()).events.length;
          const genuine = spec.request(1, ++sequence);
          const response = await send(name, {
            headers: { "content-type": "application/json" },
            body: genuine.body,
          });
          expect(response.status).toBe(401);
          const { error } = await response.json();
          expect(error).toMatch(/missing|header/i);
          expect(error).not.toContain(spec.verifier.secret as string);
          const after = (await (await app.request(`/events?source=${name}`)).json()).events.length;
          expect(after).toBe(before);
        });
      }
    }

    test("Slack's url_verification is answered with its challenge once verified, and not stored", async () => {
      await postJson(app, "/sources", { name: "slack-app", verifier: KINDS.slack?.verifier });
      const challenge = {
        type: "url_verification",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
      };
      const response = await send(
        "slack-app",
        slackRequest("8f742231b10e8888abcd99yyyzzz85a5", challenge),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ challenge: challenge.challenge });
      const forged = await send("slack-app", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(challenge),
      });
      expect(forged.status).toBe(401);
      expect((await (await app.request("/events?source=slack-app")).json()).events).toEqual([]);
    });

    test("a Stripe request outside its 5-minute tolerance is a 401 saying so", async () => {
      const old = stripeRequest(
        "whsec_stripe_test_secret",
        { id: "evt_old", type: "invoice.paid" },
        Math.floor(Date.now() / 1000) - 600,
      );
      const response = await send("src-stripe", old);
      expect(response.status).toBe(401);
      expect((await response.json()).error).toContain("tolerance");
    });

    test("an event type template names the type from the body or a header", async () => {
      await postJson(app, "/sources", {
        name: "templated",
        verifier: { type: "none" },
        event_type: "{{body.kind}}.{{header.x-action}}",
      });
      const response = await send("templated", {
        headers: { "content-type": "application/json", "x-action": "created" },
        body: JSON.stringify({ kind: "order" }),
      });
      expect(await response.json()).toMatchObject({ type: "templated.order.created" });
    });

    test("a form body is stored as its fields; a content type that is neither JSON nor a form is a 415", async () => {
      await postJson(app, "/sources", { name: "forms", verifier: { type: "none" } });
      const form = await send("forms", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "command=%2Fdeploy&text=now",
      });
      expect(form.status).toBe(201);
      const { event_id } = await form.json();
      expect(await (await app.request(`/events/${event_id}`)).json()).toMatchObject({
        payload: { command: "/deploy", text: "now" },
        body: "command=%2Fdeploy&text=now",
      });
      const xml = await send("forms", {
        headers: { "content-type": "application/xml" },
        body: "<a/>",
      });
      expect(xml.status).toBe(415);
    });

    test("the events API filters by a source's name, and names the sources for one it does not know", async () => {
      const response = await app.request("/events?source=src-stripe");
      expect(response.status).toBe(200);
      const { events } = await response.json();
      expect(events.every((e: { source: string }) => e.source === "src-stripe")).toBe(true);
      const unknown = await app.request("/events?source=nope");
      expect(unknown.status).toBe(422);
      expect(JSON.stringify(await unknown.json())).toContain("src-stripe");
    });

    test("an endpoint filter with an unknown operator is a 422 naming it, and nothing is written", async () => {
      const before = (await (await app.request("/endpoints")).json()).endpoints.length;
      const response = await postJson(app, "/endpoints", {
        url: `${receiver.url}/x`,
        filter: { data: { amount: { $gtt: 5 } } },
      });
      expect(response.status).toBe(422);
      const { details } = await response.json();
      expect(details[0]).toMatchObject({ field: "filter.data.amount.$gtt" });
      expect(details[0].message).toContain("$gtt");
      expect((await (await app.request("/endpoints")).json()).endpoints.length).toBe(before);
    });
  });

  describe(`sources declared in the config file (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      const sources = readDeclaredSources(
        (
          Bun.TOML.parse(`
[sources.declared-stripe]
verifier = { type = "stripe", secret = "whsec_from_the_file_0123456789" }
description = "from hookyard.toml"
`) as { sources: unknown }
        ).sources,
        "hookyard.toml",
      );
      app = await startTestApp(dialect, { config: { sources } });
    });
    afterAll(() => app.stop());

    test("is listed as declared in the config, takes requests, and cannot be changed through the API", async () => {
      const source = await (await app.request("/sources/declared-stripe")).json();
      expect(source).toMatchObject({ declared_in: "config", description: "from hookyard.toml" });
      const signed = stripeRequest("whsec_from_the_file_0123456789", {
        id: "evt_f",
        type: "charge.succeeded",
      });
      const response = await app.request("/in/declared-stripe", {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
      });
      expect(await response.json()).toMatchObject({ type: "declared-stripe.charge.succeeded" });
      const patch = await app.request("/sources/declared-stripe", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ description: "x" }),
      });
      expect(patch.status).toBe(409);
      expect((await patch.json()).error).toContain("config file");
      expect((await app.request("/sources/declared-stripe", { method: "DELETE" })).status).toBe(
        409,
      );
    });
  });
}
