import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { parseEndpointInput } from "../../src/delivery/endpoints-service.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const TOKEN = "endpoints-admin";
const auth = { authorization: `Bearer ${TOKEN}` };
/** A public address literal: no DNS needed, and ALLOW_PRIVATE_ENDPOINTS stays off. */
const PUBLIC_URL = "https://93.184.215.14/hooks";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("parseEndpointInput", () => {
  test.each([
    ["a create body with only a url", { url: PUBLIC_URL }, "create", []],
    ["an empty patch", {}, "update", []],
    ["a create body without url", {}, "create", ["url"]],
    ["an array", [], "create", ["body"]],
    ["null", null, "update", ["body"]],
    ["a misspelt field", { url: PUBLIC_URL, event_type: ["*"] }, "create", ["event_type"]],
    [
      "every field wrong at once",
      { url: 1, event_types: "github.*", description: 2, secret: "x", enabled: "yes" },
      "update",
      ["url", "event_types", "description", "secret", "enabled"],
    ],
    ["a description too long", { description: "x".repeat(1001) }, "update", ["description"]],
  ] as const)("%s → problems with %p", (_, body, mode, fields) => {
    const parsed = parseEndpointInput(body, mode);
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.field)).toEqual([...fields]);
  });

  test("drops repeated event types", () => {
    const parsed = parseEndpointInput({ event_types: ["a.*", "a.*", "b"] }, "update");
    expect(parsed.ok && parsed.input.eventTypes).toEqual(["a.*", "b"]);
  });
});

for (const dialect of dialects) {
  describe(`endpoints API (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN: TOKEN } });
    });
    afterAll(() => app.stop());
    afterEach(async () => {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
    });

    const post = (path: string, body: unknown) => postJson(app, path, body, auth);
    const get = (path: string) => app.request(path, { headers: auth });
    const patch = (path: string, body: unknown) =>
      app.request(path, {
        method: "PATCH",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const create = async (body: Record<string, unknown> = {}) => {
      const response = await post("/endpoints", { url: PUBLIC_URL, ...body });
      expect(response.status).toBe(201);
      return response.json();
    };

    describe("POST /endpoints", () => {
      test("registers an endpoint: 201 with its id, a generated whsec_ secret and the defaults", async () => {
        const endpoint = await create();
        expect(endpoint).toEqual({
          id: expect.any(String),
          url: PUBLIC_URL,
          description: "",
          event_types: ["*"],
          filter: null,
          enabled: true,
          disabled_reason: null,
          created_at: expect.any(String),
          updated_at: expect.any(String),
          secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
          previous_secret_expires_at: null,
          // Nothing sent yet: healthy, with nothing to count.
          state: "healthy",
          deliveries_24h: { delivered: 0, failed: 0, pending: 0 },
          success_rate: null,
          last_attempt_at: null,
          last_status: null,
          consecutive_failures: 0,
          failing_since: null,
        });
        expect(Buffer.from(endpoint.secret.slice(6), "base64")).toHaveLength(24);
      });

      test("keeps the secret, filters, description and enabled flag it is given", async () => {
        const endpoint = await create({
          secret: SECRET,
          event_types: ["github.*", "task.update"],
          description: "CI notifier",
          enabled: false,
        });
        expect(endpoint).toMatchObject({
          secret: SECRET,
          event_types: ["github.*", "task.update"],
          description: "CI notifier",
          enabled: false,
        });
      });

      test("two endpoints get different secrets", async () => {
        expect((await create()).secret).not.toBe((await create()).secret);
      });

      test.each([
        ["ftp://93.184.215.14/x", "must use http or https"],
        ["not a url", "not a valid URL"],
        ["https://user:password@93.184.215.14/x", "must not contain credentials"],
        ["http://127.0.0.1:9000/hook", "loopback"],
        ["http://localhost:9000/hook", "localhost"],
        ["http://[::1]/hook", "loopback"],
        ["http://10.0.0.5/hook", "private"],
        ["http://192.168.1.10/hook", "private"],
        ["http://169.254.169.254/latest/meta-data", "169.254.169.254"],
        ["https://nothing-here.invalid/hook", "does not resolve"],
      ])("refuses %s with a 422 naming the url", async (url, message) => {
        const response = await post("/endpoints", { url });
        expect(response.status).toBe(422);
        const body = await response.json();
        expect(body.error).toBe("invalid endpoint");
        expect(body.details).toEqual([{ field: "url", message: expect.stringContaining(message) }]);
      });

      test("a private destination's refusal says how to allow it", async () => {
        const body = await (await post("/endpoints", { url: "http://10.1.2.3/" })).json();
        expect(body.details[0].message).toContain("ALLOW_PRIVATE_ENDPOINTS=true");
      });

      test.each([
        [
          { url: PUBLIC_URL, event_types: [1, "a"] },
          "event_types",
          "event_types[0]: must be a string",
        ],
        [{ url: PUBLIC_URL, event_types: "github.*" }, "event_types", "array of strings"],
        [{ url: PUBLIC_URL, event_types: ["gi*thub"] }, "event_types", "may use * only"],
        [{ url: PUBLIC_URL, secret: "whsec_short" }, "secret", "secret must"],
        [{ url: PUBLIC_URL, enabled: "yes" }, "enabled", "true or false"],
        [{ url: 42 }, "url", "must be a string"],
        [{}, "url", "required"],
      ])("refuses %p with a 422 naming %s", async (body, field, message) => {
        const response = await post("/endpoints", body);
        expect(response.status).toBe(422);
        expect((await response.json()).details).toEqual([
          { field, message: expect.stringContaining(message) },
        ]);
      });

      test("names every bad field in one answer", async () => {
        const response = await post("/endpoints", {
          url: "gopher://x",
          event_types: [null],
          enabled: 1,
        });
        expect(response.status).toBe(422);
        const fields = (await response.json()).details.map((d: { field: string }) => d.field);
        expect(fields).toEqual(["url", "event_types", "enabled"]);
      });

      test("a body that is not JSON is a 400", async () => {
        const response = await post("/endpoints", "{not json");
        expect(response.status).toBe(400);
        expect((await response.json()).error).toContain("not valid JSON");
      });
    });

    describe("GET /endpoints and /endpoints/:id", () => {
      test("the list shows every endpoint, oldest first, without secrets", async () => {
        const first = await create({ description: "first" });
        const second = await create({ description: "second" });
        const { endpoints } = await (await get("/endpoints")).json();
        expect(endpoints.map((e: { id: string }) => e.id)).toEqual([first.id, second.id]);
        expect(endpoints[0]).not.toHaveProperty("secret");
        expect(JSON.stringify(endpoints)).not.toContain(first.secret);
      });

      test("one endpoint is shown with its secret", async () => {
        const created = await create();
        const response = await get(`/endpoints/${created.id}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual(created);
      });

      test("an unknown id is a 404", async () => {
        const response = await get("/endpoints/no-such-endpoint");
        expect(response.status).toBe(404);
        expect((await response.json()).error).toBe('no endpoint with id "no-such-endpoint"');
      });
    });

    describe("PATCH /endpoints/:id", () => {
      test("changes only the fields given", async () => {
        const created = await create({ event_types: ["a.*"], description: "before" });
        const response = await patch(`/endpoints/${created.id}`, { description: "after" });
        expect(response.status).toBe(200);
        const updated = await response.json();
        expect(updated).toMatchObject({
          description: "after",
          event_types: ["a.*"],
          url: PUBLIC_URL,
          secret: created.secret,
        });
        expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(
          Date.parse(created.updated_at),
        );
      });

      test("re-enabling an endpoint hookyard disabled clears the reason", async () => {
        const created = await create();
        await app.store.endpoints.update(
          created.id,
          { enabled: false, disabledReason: "endpoint answered 410 Gone" },
          new Date(),
        );
        const disabled = await (await get(`/endpoints/${created.id}`)).json();
        expect(disabled.disabled_reason).toBe("endpoint answered 410 Gone");
        const enabled = await (await patch(`/endpoints/${created.id}`, { enabled: true })).json();
        expect(enabled).toMatchObject({ enabled: true, disabled_reason: null });
      });

      test("disabling by hand leaves no reason", async () => {
        const created = await create();
        const updated = await (await patch(`/endpoints/${created.id}`, { enabled: false })).json();
        expect(updated).toMatchObject({ enabled: false, disabled_reason: null });
      });

      test("a new url is checked like a new endpoint's", async () => {
        const created = await create();
        const response = await patch(`/endpoints/${created.id}`, { url: "http://127.0.0.1/x" });
        expect(response.status).toBe(422);
        expect((await response.json()).details[0].field).toBe("url");
        expect((await (await get(`/endpoints/${created.id}`)).json()).url).toBe(PUBLIC_URL);
      });

      test("bad fields are a 422; an unknown id a 404", async () => {
        const created = await create();
        expect((await patch(`/endpoints/${created.id}`, { event_types: [""] })).status).toBe(422);
        expect((await patch("/endpoints/nope", { enabled: true })).status).toBe(404);
      });
    });

    describe("DELETE /endpoints/:id", () => {
      test("deletes it: 204, then it is unknown", async () => {
        const created = await create();
        const del = () =>
          app.request(`/endpoints/${created.id}`, { method: "DELETE", headers: auth });
        expect((await del()).status).toBe(204);
        expect((await get(`/endpoints/${created.id}`)).status).toBe(404);
        expect((await del()).status).toBe(404);
      });
    });

    describe("POST /endpoints/:id/rotate-secret", () => {
      test("replaces the secret with a fresh one", async () => {
        const created = await create({ secret: SECRET });
        const response = await post(`/endpoints/${created.id}/rotate-secret`, {});
        expect(response.status).toBe(200);
        const rotated = await response.json();
        expect(rotated.secret).toMatch(/^whsec_/);
        expect(rotated.secret).not.toBe(SECRET);
        expect((await (await get(`/endpoints/${created.id}`)).json()).secret).toBe(rotated.secret);
        expect((await post("/endpoints/nope/rotate-secret", {})).status).toBe(404);
      });
    });

    describe("POST /trigger/:event_type", () => {
      const eventOf = async (id: string) => (await get(`/events/${id}`)).json();

      test("records a trigger event with the JSON payload: 202 with its id and deliveries queued", async () => {
        const response = await post("/trigger/order.paid", { order: 7 });
        expect(response.status).toBe(202);
        const body = await response.json();
        expect(body).toEqual({ event_id: expect.any(String), deliveries: 0 });
        expect(await eventOf(body.event_id)).toMatchObject({
          source: "trigger",
          type: "order.paid",
          payload: { order: 7 },
        });
      });

      test("takes any JSON value, null included", async () => {
        for (const payload of [null, [1, 2], "text", 3]) {
          const { event_id } = await (
            await post("/trigger/any.value", JSON.stringify(payload))
          ).json();
          expect((await eventOf(event_id)).payload).toEqual(payload);
        }
      });

      test("without a body the payload is {}", async () => {
        const response = await app.request("/trigger/no.body", { method: "POST", headers: auth });
        expect(response.status).toBe(202);
        expect((await eventOf((await response.json()).event_id)).payload).toEqual({});
      });

      test("a body that is not JSON is a 400; a form body a 415", async () => {
        expect((await post("/trigger/x.y", "{broken")).status).toBe(400);
        const form = await app.request("/trigger/x.y", {
          method: "POST",
          headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
          body: '{"a":1}',
        });
        expect(form.status).toBe(415);
        expect((await form.json()).error).toContain("Content-Type: application/json");
      });

      test.each([["has space"], ["x".repeat(129)], ["semi;colon"]])(
        "refuses the event type %p with a 422",
        async (type) => {
          const response = await post(`/trigger/${encodeURIComponent(type)}`, {});
          expect(response.status).toBe(422);
          expect((await response.json()).details[0].field).toBe("event_type");
        },
      );
    });

    describe("GET /deliveries errors", () => {
      test.each([
        ["status=lost", "status"],
        ["limit=0", "limit"],
        ["limit=501", "limit"],
        ["cursor=%%%", "cursor"],
      ])("?%s is a 422 naming %s", async (query, field) => {
        const response = await get(`/deliveries?${query}`);
        expect(response.status).toBe(422);
        expect((await response.json()).details[0].field).toBe(field);
      });

      test("an unknown delivery is a 404, to read or to retry", async () => {
        expect((await get("/deliveries/nope")).status).toBe(404);
        const retry = await post("/deliveries/nope/retry", {});
        expect(retry.status).toBe(404);
        expect((await retry.json()).error).toBe('no delivery with id "nope"');
      });
    });

    describe("without the admin token", () => {
      test.each([
        ["POST", "/endpoints"],
        ["GET", "/endpoints"],
        ["GET", "/endpoints/x"],
        ["PATCH", "/endpoints/x"],
        ["DELETE", "/endpoints/x"],
        ["POST", "/endpoints/x/rotate-secret"],
        ["POST", "/trigger/a.b"],
        ["GET", "/deliveries"],
        ["GET", "/deliveries/x"],
        ["POST", "/deliveries/x/retry"],
      ])("%s %s is a 401", async (method, path) => {
        const response = await app.request(path, {
          method,
          headers: { "content-type": "application/json", authorization: "Bearer wrong" },
          ...(method === "GET" || method === "DELETE"
            ? {}
            : { body: JSON.stringify({ url: PUBLIC_URL }) }),
        });
        expect(response.status).toBe(401);
        expect((await response.json()).error).toContain("admin token");
      });

      test("nothing is created without it", async () => {
        await postJson(app, "/endpoints", { url: PUBLIC_URL });
        expect(await app.store.endpoints.list()).toHaveLength(0);
      });
    });
  });
}
