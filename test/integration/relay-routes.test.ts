/** POST /notifications and /relay/messages, without Svix (messages are held). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const event = (id: string, project = "dev") => ({
  object: "event",
  id,
  type: "user.created",
  project,
  time: "2026-11-01T10:00:00Z",
  data: { user: { id: "usr_1" } },
});
const envelope = (data: string, messageId = "m-1") => ({
  message: { data, messageId, publishTime: "2026-11-01T10:00:01Z", attributes: {} },
  subscription: "projects/p/subscriptions/s",
});
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

for (const dialect of dialects) {
  describe(`POST /notifications without SVIX_TOKEN (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("a raw event is stored before the answer and held until SVIX_TOKEN is set", async () => {
      const response = await postJson(app, "/notifications", event("evt_raw"));
      expect(response.status).toBe(202);
      const body = await response.json();
      expect(body.status).toBe("held");
      expect(await app.store.relay.get(body.id)).toMatchObject({
        status: "held",
        project: "dev",
        eventId: "evt_raw",
      });
    });

    test("an envelope is decoded and keeps its Pub/Sub message id", async () => {
      const response = await postJson(
        app,
        "/notifications",
        envelope(b64(event("evt_env")), "ps-77"),
      );
      expect(response.status).toBe(202);
      const { id } = await response.json();
      const message = await (await app.request(`/relay/messages/${id}`)).json();
      expect(message).toMatchObject({
        event_id: "evt_env",
        event_type: "user.created",
        pubsub_message_id: "ps-77",
        status: "held",
      });
      expect(message.payload).toEqual(event("evt_env"));
    });

    test("an event id seen before for the project answers duplicate; another project is a new message", async () => {
      await postJson(app, "/notifications", event("evt_dup"));
      const again = await postJson(app, "/notifications", envelope(b64(event("evt_dup"))));
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ duplicate: true });
      expect((await postJson(app, "/notifications", event("evt_dup", "prod"))).status).toBe(202);
    });

    test("an envelope without a valid event is acknowledged (202) and kept as rejected with the reason", async () => {
      const response = await postJson(app, "/notifications", envelope("%%% not base64 %%%"));
      expect(response.status).toBe(202);
      const body = await response.json();
      expect(body).toMatchObject({
        status: "rejected",
        reason: "message.data is not valid base64",
      });
      const listed = await (await app.request("/relay/messages?status=rejected")).json();
      expect(listed.messages.map((m: { id: string }) => m.id)).toContain(body.id);
    });

    test.each([
      ["not JSON", "{nope", 400],
      ["JSON that is not an object", "[1,2,3]", 422],
      ["an event without project", JSON.stringify({ id: "e", type: "t" }), 422],
      ["an event without type", JSON.stringify({ id: "e", project: "p" }), 422],
      [
        "a project that is not a Svix uid",
        JSON.stringify({ id: "e", type: "t", project: "a b" }),
        422,
      ],
    ])("%s is refused (%d) and nothing is stored", async (_name, body, status) => {
      const before = (await app.store.relay.list({}, { limit: 500 })).items.length;
      const response = await app.request("/notifications", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(response.status).toBe(status);
      expect((await response.json()).error).toBeString();
      expect((await app.store.relay.list({}, { limit: 500 })).items.length).toBe(before);
    });

    test("GET /relay/messages filters by status and refuses an unknown status", async () => {
      const held = await (await app.request("/relay/messages?status=held")).json();
      expect(held.messages.length).toBeGreaterThan(0);
      expect(held.messages.every((m: { status: string }) => m.status === "held")).toBe(true);
      expect((await app.request("/relay/messages?status=lost")).status).toBe(422);
    });

    test("retry: a held message is queued; a rejected one is a 409; an unknown one a 404", async () => {
      const { id } = await (await postJson(app, "/notifications", event("evt_retry"))).json();
      const retried = await app.request(`/relay/messages/${id}/retry`, { method: "POST" });
      expect(retried.status).toBe(202);
      expect((await retried.json()).status).toBe("queued");
      const rejected = await (await postJson(app, "/notifications", envelope("!!"))).json();
      expect(
        (await app.request(`/relay/messages/${rejected.id}/retry`, { method: "POST" })).status,
      ).toBe(409);
      expect((await app.request("/relay/messages/nope/retry", { method: "POST" })).status).toBe(
        404,
      );
    });

    test("a 30 MB body is a 413", async () => {
      const response = await postJson(app, "/notifications", {
        ...event("big"),
        data: "x".repeat(30 * 1024 * 1024),
      });
      expect(response.status).toBe(413);
    });
  });
}

describe("POST /notifications with PUBSUB_TOKEN and ADMIN_TOKEN", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", {
      settings: { PUBSUB_TOKEN: "push-secret", ADMIN_TOKEN: "admin-secret" },
    });
  });
  afterAll(() => app.stop());

  test("the token is accepted as ?token= or as a Bearer token", async () => {
    expect((await postJson(app, "/notifications?token=push-secret", event("t1"))).status).toBe(202);
    expect(
      (await postJson(app, "/notifications", event("t2"), { authorization: "Bearer push-secret" }))
        .status,
    ).toBe(202);
  });

  test("a missing or wrong token is a 401 and nothing is stored", async () => {
    expect((await postJson(app, "/notifications", event("t3"))).status).toBe(401);
    expect((await postJson(app, "/notifications?token=wrong", event("t4"))).status).toBe(401);
    const listed = await (
      await app.request("/relay/messages", { headers: { authorization: "Bearer admin-secret" } })
    ).json();
    expect(listed.messages.map((m: { event_id: string }) => m.event_id).sort()).toEqual([
      "t1",
      "t2",
    ]);
  });

  test("the admin token does not open /notifications, and /relay/messages needs it", async () => {
    expect(
      (await postJson(app, "/notifications", event("t5"), { authorization: "Bearer admin-secret" }))
        .status,
    ).toBe(401);
    expect((await app.request("/relay/messages")).status).toBe(401);
  });
});
