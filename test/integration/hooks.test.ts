import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

for (const dialect of dialects) {
  describe(`named hooks (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    const register = async (userid: string) => {
      const response = await postJson(app, "/webhook", { userid });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id: string }).id;
    };

    describe("POST /webhook", () => {
      test("registers a hook for a user id (JSON) and answers its uuid", async () => {
        const id = await register("testuser");
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });

      test("takes the user id as a form field too", async () => {
        const response = await app.request("/webhook", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "userid=formuser",
        });
        expect(response.status).toBe(200);
        const { id } = await response.json();
        const listed = await (await app.request("/webhook")).json();
        expect(listed.hooks.find((hook: { id: string }) => hook.id === id)?.userid).toBe(
          "formuser",
        );
      });

      test.each([[{}], [{ userid: "" }], [{ userid: 42 }], [{ userid: "x".repeat(257) }]])(
        "refuses %p with a 422 naming userid",
        async (body) => {
          const response = await postJson(app, "/webhook", body);
          expect(response.status).toBe(422);
          expect((await response.json()).details).toEqual([
            { field: "userid", message: "required: a non-empty string of at most 256 characters" },
          ]);
        },
      );
    });

    describe("GET|POST /webhook/:id", () => {
      test("GET triggers the hook: 201, and a hook.triggered event with the user id and query", async () => {
        const id = await register("alice");
        const response = await app.request(`/webhook/${id}?source=cron`);
        expect(response.status).toBe(201);
        const body = await response.json();
        expect(body.message).toBe("web hook triggered");
        const event = await (await app.request(`/events/${body.event_id}`)).json();
        expect(event).toMatchObject({
          source: "hook",
          type: "hook.triggered",
          entity_id: id,
          payload: { hook_id: id, userid: "alice", body: null, query: { source: "cron" } },
        });
      });

      test("POST passes its JSON body into the event", async () => {
        const id = await register("bob");
        const response = await postJson(app, `/webhook/${id}`, { reason: "deploy" });
        expect(response.status).toBe(201);
        const { event_id } = await response.json();
        const event = await (await app.request(`/events/${event_id}`)).json();
        expect(event.payload.body).toEqual({ reason: "deploy" });
      });

      test("POST with a body that is not JSON under a JSON content type is a 400, nothing recorded", async () => {
        const id = await register("carol");
        const before = (await (await app.request(`/entities/${id}`)).json()).events?.length ?? 0;
        const response = await postJson(app, `/webhook/${id}`, "{broken");
        expect(response.status).toBe(400);
        expect(before).toBe(0);
        expect((await app.request(`/entities/${id}`)).status).toBe(404);
      });

      test("counts triggers on the hook", async () => {
        const id = await register("dave");
        await app.request(`/webhook/${id}`);
        await app.request(`/webhook/${id}`, { method: "POST" });
        const listed = await (await app.request("/webhook")).json();
        expect(listed.hooks.find((hook: { id: string }) => hook.id === id)).toMatchObject({
          userid: "dave",
          trigger_count: 2,
        });
      });

      test.each([
        ["00000000-0000-4000-8000-000000000000"],
        ["not-a-uuid"],
        ["..%2F..%2Fetc%2Fpasswd"],
      ])("an unknown id %p is a 404", async (id) => {
        const response = await app.request(`/webhook/${id}`);
        expect(response.status).toBe(404);
        expect((await response.json()).error).toStartWith("no hook with id");
      });
    });

    describe("DELETE /webhook/:id", () => {
      test("deletes the hook: 204, and then it is unknown", async () => {
        const id = await register("erin");
        expect((await app.request(`/webhook/${id}`, { method: "DELETE" })).status).toBe(204);
        expect((await app.request(`/webhook/${id}`)).status).toBe(404);
        expect((await app.request(`/webhook/${id}`, { method: "DELETE" })).status).toBe(404);
      });
    });
  });
}

describe("named hooks behind ADMIN_TOKEN", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN: "hook-admin" } });
  });
  afterAll(() => app.stop());

  test("registering, listing and deleting need the token; triggering does not", async () => {
    expect((await postJson(app, "/webhook", { userid: "x" })).status).toBe(401);
    expect((await app.request("/webhook")).status).toBe(401);
    const auth = { authorization: "Bearer hook-admin" };
    const created = await postJson(app, "/webhook", { userid: "x" }, auth);
    expect(created.status).toBe(200);
    const { id } = await created.json();
    expect((await app.request(`/webhook/${id}`, { method: "DELETE" })).status).toBe(401);
    expect((await app.request(`/webhook/${id}`)).status).toBe(201);
    expect((await app.request(`/webhook/${id}`, { method: "DELETE", headers: auth })).status).toBe(
      204,
    );
  });
});
