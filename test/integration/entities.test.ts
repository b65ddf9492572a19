import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Webhook } from "svix";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const COMPONENT_CREATE = {
  action: "create",
  entity_type: "component",
  time: "2021-12-20T10:59:55Z",
  payload: { id: "25589645-cd89-44bb-8954-6b4ee87aa57f", name: "image name", file_type: "jpeg" },
};
const TASK_UPDATE = {
  action: "update",
  entity_type: "task",
  time: "2021-12-21T08:51:22Z",
  id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
  modified_fields: ["assignee"],
  payload: { name: "task name", assignee_id: "5428abf6-0f4c-4448-b619-fc9f4327619b" },
};

for (const dialect of dialects) {
  describe(`POST /webhooks/event (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    const entityEvents = async () =>
      (await app.store.events.list({ source: "entity" }, { limit: 500 })).items.length;

    test("the brief's create example is stored as it is: 201 with the stored event", async () => {
      const response = await postJson(app, "/webhooks/event", COMPONENT_CREATE);
      expect(response.status).toBe(201);
      const event = await response.json();
      expect(event).toMatchObject({
        source: "entity",
        type: "component.create",
        entity_type: "component",
        entity_id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
        action: "create",
        occurred_at: "2021-12-20T10:59:55.000Z",
        payload: COMPONENT_CREATE,
      });
      expect((await (await app.request(`/events/${event.id}`)).json()).payload).toEqual(
        COMPONENT_CREATE,
      );
    });

    test("the brief's update example is stored as it is", async () => {
      const response = await postJson(app, "/webhooks/event", TASK_UPDATE);
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        type: "task.update",
        entity_id: TASK_UPDATE.id,
        payload: TASK_UPDATE,
      });
    });

    test("the body's JSON text is kept as sent; numbers JavaScript cannot hold read as JSON.parse reads them", async () => {
      const sent = JSON.stringify(
        { ...TASK_UPDATE, payload: { ...TASK_UPDATE.payload, n: 0.1 } },
        null,
        2,
      );
      const stored = await postJson(app, "/webhooks/event", sent);
      expect(stored.status).toBe(201);
      const { id } = await stored.json();
      expect((await (await app.request(`/events/${id}`)).json()).payload).toEqual(JSON.parse(sent));

      // 1e400 is stored as sent (jsonb holds it); 1e200000 would be refused by PostgreSQL
      // (a 500), so it is serialized again. Either reads back as the null JSON.parse makes
      // of it, the same on both databases.
      for (const n of ["1e400", "1e200000"]) {
        const huge = sent.replace('"n": 0.1', `"n": ${n}`);
        const hugeStored = await postJson(app, "/webhooks/event", huge);
        expect(hugeStored.status).toBe(201);
        const event = await (await app.request(`/events/${(await hugeStored.json()).id}`)).json();
        expect(event.payload.payload.n).toBeNull();
      }
    });

    test("a repeated webhook-id or Idempotency-Key is a duplicate, stored once", async () => {
      const before = await entityEvents();
      for (const header of ["webhook-id", "idempotency-key"]) {
        const key = `${header}-${crypto.randomUUID()}`;
        expect(
          (await postJson(app, "/webhooks/event", COMPONENT_CREATE, { [header]: key })).status,
        ).toBe(201);
        const again = await postJson(app, "/webhooks/event", COMPONENT_CREATE, { [header]: key });
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ duplicate: true });
      }
      expect(await entityEvents()).toBe(before + 2);
    });

    describe("bad input: a clear 4xx naming the problem, nothing stored", () => {
      const refused = async (body: string | object, status: number, fields?: string[]) => {
        const before = await entityEvents();
        const response = await app.request("/webhooks/event", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
        expect(response.status).toBe(status);
        const json = await response.json();
        expect(json.error).toBeString();
        if (fields)
          expect(json.details.map((d: { field: string }) => d.field)).toEqual(
            expect.arrayContaining(fields),
          );
        expect(await entityEvents()).toBe(before);
      };
      const without = (key: string) =>
        Object.fromEntries(Object.entries(TASK_UPDATE).filter(([k]) => k !== key));

      test("missing action → 422", () => refused(without("action"), 422, ["action"]));
      test("unknown action → 422", () =>
        refused({ ...TASK_UPDATE, action: "remove" }, 422, ["action"]));
      test("a time that is not a date → 422", () =>
        refused({ ...TASK_UPDATE, time: "yesterday" }, 422, ["time"]));
      test("a payload that is not an object → 422", () =>
        refused({ ...TASK_UPDATE, payload: [1] }, 422, ["payload"]));
      test("an update without an id → 422", () => refused(without("id"), 422, ["id"]));
      test("a create whose id and payload.id disagree → 422", () =>
        refused({ ...COMPONENT_CREATE, id: "other-id" }, 422, ["id"]));
      test("every bad field at once", () =>
        refused({ action: "x", entity_type: "", time: "no", payload: null }, 422, [
          "action",
          "entity_type",
          "time",
          "payload",
        ]));
      test("not JSON → 400", () => refused("{oops", 400));
      test("10,000 nested levels of JSON → 4xx", () =>
        refused(`{"payload":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, 422));
      test("invalid UTF-8 → 400", async () => {
        const before = await entityEvents();
        const response = await app.request("/webhooks/event", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
        });
        expect(response.status).toBe(400);
        expect(await entityEvents()).toBe(before);
      });
      test("a 30 MB body → 413", () =>
        refused({ ...TASK_UPDATE, payload: { blob: "x".repeat(30 * 1024 * 1024) } }, 413));
    });
  });

  describe(`GET /aggregates/:entity_id (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    const send = (action: string, time: string, payload: object, id = "agg-1") =>
      postJson(app, "/webhooks/event", { action, entity_type: "task", time, id, payload });

    test("folds events in time order even when they arrive out of order", async () => {
      await send("update", "2026-01-01T10:02:00Z", { status: "done" });
      await send("create", "2026-01-01T10:00:00Z", {
        id: "agg-1",
        name: "Write docs",
        status: "open",
      });
      await send("update", "2026-01-01T10:01:00Z", { status: "doing", assignee: "ana" });
      const response = await app.request("/aggregates/agg-1");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        entity_id: "agg-1",
        entity_type: "task",
        state: { id: "agg-1", name: "Write docs", status: "done", assignee: "ana" },
        version: 3,
        created_at: "2026-01-01T10:00:00.000Z",
        updated_at: "2026-01-01T10:02:00.000Z",
        deleted: false,
      });
    });

    test("a delete marks it deleted, and the /aggrigates spelling answers the same", async () => {
      await send("delete", "2026-01-01T11:00:00Z", {});
      const aggregate = await (await app.request("/aggregates/agg-1")).json();
      expect(aggregate).toMatchObject({ deleted: true, version: 4 });
      expect(await (await app.request("/aggrigates/agg-1")).json()).toEqual(aggregate);
    });

    test("an entity with no events is a 404", async () => {
      expect((await app.request("/aggregates/nobody")).status).toBe(404);
      expect((await app.request("/aggrigates/nobody")).status).toBe(404);
    });
  });
}

describe("POST /webhooks/event with EVENTS_WEBHOOK_SECRET", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { EVENTS_WEBHOOK_SECRET: secret } });
  });
  afterAll(() => app.stop());

  const signed = (body: string, at = new Date(), id = `msg_${crypto.randomUUID()}`) => ({
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  });

  test("a request signed by the svix library is accepted", async () => {
    const body = JSON.stringify(TASK_UPDATE);
    const response = await app.request("/webhooks/event", {
      method: "POST",
      headers: signed(body),
      body,
    });
    expect(response.status).toBe(201);
  });

  test("unsigned → 401", async () => {
    const response = await postJson(app, "/webhooks/event", TASK_UPDATE);
    expect(response.status).toBe(401);
    expect((await response.json()).error).toContain("missing headers");
  });

  test("signed for another body → 401", async () => {
    const headers = signed(JSON.stringify(TASK_UPDATE));
    const response = await app.request("/webhooks/event", {
      method: "POST",
      headers,
      body: JSON.stringify(COMPONENT_CREATE),
    });
    expect(response.status).toBe(401);
  });

  test("a timestamp older than 5 minutes → 401", async () => {
    const body = JSON.stringify(TASK_UPDATE);
    const headers = signed(body, new Date(Date.now() - 6 * 60_000));
    const response = await app.request("/webhooks/event", { method: "POST", headers, body });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toContain("too old");
  });

  test("the admin token is no substitute for the signature", async () => {
    const response = await postJson(app, "/webhooks/event", TASK_UPDATE, {
      authorization: "Bearer anything",
    });
    expect(response.status).toBe(401);
  });
});
