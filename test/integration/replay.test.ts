/**
 * Replays, tried as an attacker who captured a genuine request would: sent again with its
 * headers renamed, added or dropped. Each must come back as a duplicate, stored once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Webhook } from "svix";
import { defaultBranchPush, githubDelivery } from "../fixtures/github/push.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const EVENTS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const GITHUB_SECRET = "gh-replay-secret";

const TASK_UPDATE = JSON.stringify({
  action: "update",
  entity_type: "task",
  time: "2021-12-21T08:51:22Z",
  id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
  payload: { name: "task name" },
});

/** The request the app's backend sent, signed with Standard Webhooks. */
function signedEvent(body: string): Record<string, string> {
  const id = `msg_${crypto.randomUUID()}`;
  const at = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(EVENTS_SECRET).sign(id, at, body),
  };
}

/** The same headers under Svix's names (`webhook-id` → `svix-id`…). */
const asSvixHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.replace(/^webhook-/, "svix-"), value]),
  );

for (const dialect of dialects) {
  describe(`replayed requests (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, {
        settings: { EVENTS_WEBHOOK_SECRET: EVENTS_SECRET, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET },
      });
    });
    afterAll(() => app.stop());

    const count = async (source: string) =>
      (await app.store.events.list({ source }, { limit: 500 })).items.length;
    const changes = async () => (await app.store.changes.list({ limit: 500 })).items.length;
    const post = (path: string, headers: Record<string, string>, body: string) =>
      app.request(path, { method: "POST", headers, body });

    test("a signed entity event replayed under svix-* names, or with an Idempotency-Key added, is a duplicate", async () => {
      const headers = signedEvent(TASK_UPDATE);
      const before = await count("entity");
      expect((await post("/webhooks/event", headers, TASK_UPDATE)).status).toBe(201);
      const replays = [
        asSvixHeaders(headers),
        { ...headers, "idempotency-key": "a-new-key" },
        { ...asSvixHeaders(headers), "idempotency-key": "another-key" },
        { ...headers, ...asSvixHeaders(headers) },
      ];
      for (const replay of replays) {
        const response = await post("/webhooks/event", replay, TASK_UPDATE);
        expect({ replay, status: response.status }).toEqual({ replay, status: 200 });
        expect(await response.json()).toEqual({ duplicate: true });
      }
      expect(await count("entity")).toBe(before + 1);
    });

    test("an event first sent under svix-* names is a duplicate under webhook-* names", async () => {
      const headers = signedEvent(TASK_UPDATE);
      const before = await count("entity");
      expect((await post("/webhooks/event", asSvixHeaders(headers), TASK_UPDATE)).status).toBe(201);
      expect((await post("/webhooks/event", headers, TASK_UPDATE)).status).toBe(200);
      expect(await count("entity")).toBe(before + 1);
    });

    test("/webhooks/event takes JSON only: text, no content type, or application/jsonx are a 415", async () => {
      const before = await count("entity");
      for (const type of [
        "text/plain",
        null,
        "application/jsonx",
        "application/x-www-form-urlencoded",
      ]) {
        const headers = signedEvent(TASK_UPDATE);
        if (type === null) delete (headers as Record<string, string | undefined>)["content-type"];
        else headers["content-type"] = type;
        const response = await app.request("/webhooks/event", {
          method: "POST",
          headers,
          // A Blob without a type: fetch then sends no Content-Type at all.
          body: type === null ? new Blob([TASK_UPDATE]) : TASK_UPDATE,
        });
        expect({ type, status: response.status }).toEqual({ type, status: 415 });
        expect((await response.json()).error).toContain("Content-Type: application/json");
      }
      expect(await count("entity")).toBe(before);
      const charset = signedEvent(TASK_UPDATE);
      charset["content-type"] = "application/json; charset=utf-8";
      expect((await post("/webhooks/event", charset, TASK_UPDATE)).status).toBe(201);
    });

    test("a signed GitHub push sent again without X-GitHub-Delivery is a duplicate: one change", async () => {
      const delivery = githubDelivery({
        event: "push",
        payload: defaultBranchPush(),
        secret: GITHUB_SECRET,
      });
      const { "x-github-delivery": _, ...withoutId } = delivery.headers;
      const [events, rows] = [await count("github"), await changes()];
      expect((await post("/webhooks/github", withoutId, delivery.body)).status).toBe(201);
      for (let i = 0; i < 3; i++) {
        const again = await post("/webhooks/github", withoutId, delivery.body);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ duplicate: true });
      }
      expect([await count("github"), await changes()]).toEqual([events + 1, rows + 1]);
    });
  });
}
