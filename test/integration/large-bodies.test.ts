import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LARGE_BODY_BYTES } from "../../src/http/body.ts";
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { defaultBranchPush, githubDelivery } from "../fixtures/github/push.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

/**
 * Bodies past LARGE_BODY_BYTES take another road (decoded on the JSON thread, their value
 * rebuilt in slices, stored by a writing thread, echoed from their bytes): the same
 * answers and the same stored events as small ones. How long they hold the event loop is
 * measured by scripts/drills/large-bodies.ts.
 */
function largeEntityEvent(tag: string, bytes = 4 * LARGE_BODY_BYTES, prefix = "large") {
  const rows = Array.from({ length: Math.ceil(bytes / 120) }, (_, i) => ({
    id: `${tag}-${i}`,
    name: `Row ${i}: café, 日本語, 😀`,
    done: i % 2 === 0,
    estimate: i % 13 === 0 ? null : i / 4,
  }));
  return {
    action: "create",
    entity_type: "import",
    time: "2026-11-22T10:15:00Z",
    id: `${prefix}-${tag}`,
    payload: { id: `${prefix}-${tag}`, rows, ["__proto__"]: { kept: "as a member" } },
  };
}

for (const dialect of dialects) {
  describe(`POST /webhooks/event with a large body (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("is stored as sent and answered with the stored event, payload included", async () => {
      const sent = JSON.parse(JSON.stringify(largeEntityEvent("one")));
      // Escapes and a __proto__ member, as JSON.parse reads them, must survive the slices.
      const text = JSON.stringify(sent).replace("café", "caf\\u00e9");
      expect(text.length).toBeGreaterThan(LARGE_BODY_BYTES);
      const response = await postJson(app, "/webhooks/event", text);
      expect(response.status).toBe(201);
      const answered = await response.json();
      expect(answered).toMatchObject({ type: "import.create", entity_id: "large-one" });
      expect(answered.payload).toStrictEqual(sent);
      const stored = await app.store.events.get(answered.id);
      expect(stored?.payload).toStrictEqual(sent);
      expect(Object.getPrototypeOf(stored?.payload)).toBe(Object.prototype);
    });

    test("several sent at once are each stored once, beside small ones", async () => {
      const large = ["a", "b", "c"].map((tag) => largeEntityEvent(tag));
      const small = ["d", "e"].map((tag) => largeEntityEvent(tag, 100, "small"));
      const responses = await Promise.all(
        [...large, ...small].map((event) => postJson(app, "/webhooks/event", event)),
      );
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
      const ids = await Promise.all(responses.map(async (response) => (await response.json()).id));
      const stored = await Promise.all(ids.map((id) => app.store.events.get(id)));
      expect(stored.map((event) => event?.entityId)).toEqual([
        "large-a",
        "large-b",
        "large-c",
        "small-d",
        "small-e",
      ]);
      expect(stored[1]?.payload).toStrictEqual(JSON.parse(JSON.stringify(large[1])));
    });

    test("sent twice with one Idempotency-Key, is stored once: the second is a duplicate", async () => {
      const event = largeEntityEvent("twice");
      const headers = { "idempotency-key": `large-${dialect}-twice` };
      const first = await postJson(app, "/webhooks/event", event, headers);
      expect(first.status).toBe(201);
      const second = await postJson(app, "/webhooks/event", event, headers);
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual({ duplicate: true });
    });

    test.each([
      ["not JSON", (text: string) => `${text},`, 400, "the request body is not valid JSON"],
      [
        "a NUL escape",
        (text: string) => text.replace("Row 7:", "Row 7\\u0000:"),
        422,
        "the request body holds a NUL character",
      ],
    ])("that is %s is refused as a small one is", async (_, spoil, status, error) => {
      const response = await postJson(
        app,
        "/webhooks/event",
        spoil(JSON.stringify(largeEntityEvent("bad"))),
      );
      expect(response.status).toBe(status);
      expect((await response.json()).error).toStartWith(error);
    });

    test("that is not UTF-8 is refused with a 400", async () => {
      const bytes = new TextEncoder().encode(JSON.stringify(largeEntityEvent("latin1")));
      bytes.set([0x22, 0xff, 0x22], 200);
      const response = await app.request("/webhooks/event", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bytes,
      });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe("the request body is not valid UTF-8");
    });
  });
}

for (const dialect of dialects) {
  describe(`POST /notifications with a large body (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("is parsed on the JSON thread and accepted like a small one", async () => {
      const rows = largeEntityEvent("relay").payload.rows;
      const event = {
        object: "event",
        id: "evt_large",
        type: "import.done",
        project: "dev",
        time: "2026-11-01T10:00:00Z",
        data: { rows },
      };
      const response = await postJson(app, "/notifications", event);
      expect(response.status).toBe(202);
      const { id } = await response.json();
      const message = await app.store.relay.get(id);
      expect(message?.payload).toStrictEqual(JSON.parse(JSON.stringify(event)));
    });
  });
}

for (const dialect of dialects) {
  describe(`POST /webhooks/github with a large body (${dialect})`, () => {
    const secret = "gh-large-secret";
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { GITHUB_WEBHOOK_SECRET: secret } });
    });
    afterAll(() => app.stop());

    /** A push whose commits carry enough text to pass LARGE_BODY_BYTES. */
    const largePush = () => {
      const push = defaultBranchPush();
      const commits = Array.from({ length: 400 }, (_, i) => ({
        ...(push.commits as Record<string, unknown>[])[0],
        id: `${i}`.padStart(40, "0"),
        message: `commit ${i}: ${"détail ".repeat(150)}`,
      }));
      return { ...push, commits };
    };
    const send = (body: string, contentType = "application/json") => {
      const delivery = githubDelivery({ event: "push", payload: {}, secret });
      return app.request("/webhooks/github", {
        method: "POST",
        headers: {
          ...delivery.headers,
          "content-type": contentType,
          "x-hub-signature-256": signGitHubPayload(secret, body),
        },
        body,
      });
    };

    test("a push is a change and is stored as sent, as a small one is", async () => {
      const payload = largePush();
      const body = JSON.stringify(payload);
      expect(body.length).toBeGreaterThan(LARGE_BODY_BYTES);
      const response = await send(body);
      expect(response.status).toBe(201);
      const { change_id } = await response.json();
      expect(change_id).toBeGreaterThan(0);
      const [event] = (await app.store.events.list({ source: "github" }, { limit: 1 })).items;
      expect((await app.store.events.get(event?.id as string))?.payload).toStrictEqual(payload);
    });

    test.each([
      ["not JSON", (text: string) => `${text},`, 400],
      ["a JSON array", (text: string) => `[${text}]`, 400],
      ["a NUL escape", (text: string) => text.replace("commit 7:", "commit 7\\u0000:"), 422],
    ])("that is %s is refused as a small one is", async (_, spoil, status) => {
      const before = (await app.store.events.list({ source: "github" }, { limit: 500 })).items;
      const response = await send(spoil(JSON.stringify(largePush())));
      expect(response.status).toBe(status);
      expect((await response.json()).error).toBeString();
      const after = (await app.store.events.list({ source: "github" }, { limit: 500 })).items;
      expect(after.length).toBe(before.length);
    });
  });
}
