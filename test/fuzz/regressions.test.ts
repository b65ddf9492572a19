/**
 * What the fuzz tests found, each pinned by one example so it stays fixed even on a run
 * whose random inputs miss it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeCursor } from "../../src/store/cursor.ts";
import { defaultBranchPush, githubDelivery } from "../fixtures/github/push.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

for (const dialect of dialects) {
  describe(`fuzz findings (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("an id or a filter holding a NUL byte is a 400, not a database error", async () => {
      for (const path of [
        "/events/%00",
        "/events?q=a%00b",
        "/relay/messages/%00/retry",
        "/entities/a%00b",
        "/deliveries?endpoint_id=%00",
      ]) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect((await response.json()).error).toContain("NUL");
      }
    });

    test("the dashboard answers a NUL byte in an id or a filter with its own pages", async () => {
      for (const [path, status] of [
        ["/dashboard?q=a%00b&entity=%00&type=%00", 200],
        // No source holds a NUL: the page names the sources there are, as GET /events does.
        ["/dashboard?source=%00", 422],
        ["/dashboard/relay?project=%00&status=%00", 200],
        ["/dashboard/entities/a%00b", 404],
        ["/dashboard/relay/a%00b", 404],
        ["/dashboard/endpoints/a%00b?status=%00", 404],
      ] as const) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status });
        expect(response.headers.get("content-type")).toStartWith("text/html");
      }
    });

    test("a cursor whose time lies beyond any date, or whose id holds a NUL, is a 422 naming the cursor", async () => {
      const cursors = [
        encodeCursor({ at: 8.64e15 + 1, id: "x" }),
        encodeCursor({ at: 0, id: "\u0000" }),
      ];
      for (const path of cursors.flatMap((cursor) =>
        ["/events", "/deliveries", "/relay/messages"].map((route) => `${route}?cursor=${cursor}`),
      )) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status: 422 });
        expect((await response.json()).details).toEqual([
          { field: "cursor", message: "not a cursor returned by this API" },
        ]);
      }
    });

    test("a time in the year 0000 is refused where it comes in, not by PostgreSQL", async () => {
      const event = await postJson(app, "/webhooks/event", {
        action: "create",
        entity_type: "task",
        time: "0001-01-01T00:30:00+01:00",
        payload: { id: "year-zero" },
      });
      expect(event.status).toBe(422);
      expect((await event.json()).details).toEqual([
        { field: "time", message: expect.stringContaining("outside the years 0001-9999") },
      ]);
      const since = await app.request("/events?since=0000-01-01");
      expect(since.status).toBe(422);
      expect((await since.json()).details[0].field).toBe("since");
    });

    test("a push whose pushed_at falls in the year 0000 is a change timed at its receipt", async () => {
      const payload = defaultBranchPush();
      (payload.repository as Record<string, unknown>).pushed_at = -62_167_219_200;
      const delivery = githubDelivery({ event: "push", payload });
      const response = await app.request("/webhooks/github", {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(response.status).toBe(201);
      const { changes } = await (await app.request("/changes?limit=1")).json();
      expect(changes[0].data.ts).not.toStartWith("0000");
    });

    describe("a NUL character in a body is refused with a 422 where it would be stored, on both databases", () => {
      const counts = async () => ({
        events: (await app.store.events.list({}, { limit: 500 })).items.length,
        relay: (await app.store.relay.list({}, { limit: 500 })).items.length,
        hooks: (await app.store.hooks.list(500)).length,
        endpoints: (await app.store.endpoints.list()).length,
      });
      const expectRefused = async (response: Response) => {
        expect(response.status).toBe(422);
        expect((await response.json()).error).toContain("NUL");
      };

      test("in a GitHub push, an entity event, a raw relay event, an endpoint and a hook", async () => {
        const before = await counts();
        const push = defaultBranchPush();
        (push.head_commit as Record<string, unknown>).message = "fix\u0000";
        const delivery = githubDelivery({ event: "push", payload: push });
        await expectRefused(
          await app.request("/webhooks/github", {
            method: "POST",
            headers: delivery.headers,
            body: delivery.body,
          }),
        );
        await expectRefused(
          await postJson(app, "/webhooks/event", {
            action: "create",
            entity_type: "task",
            time: "2026-11-22T10:00:00Z",
            payload: { id: "t-1", "name\u0000": "x" },
          }),
        );
        await expectRefused(
          await postJson(app, "/notifications", { id: "e\u0000", type: "t", project: "p" }),
        );
        await expectRefused(
          await postJson(app, "/endpoints", { url: "https://example.com", description: "\u0000" }),
        );
        await expectRefused(
          await app.request("/webhook", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "userid=alice%00",
          }),
        );
        expect(await counts()).toEqual(before);
      });

      test("as is a lone surrogate, which PostgreSQL refuses too", async () => {
        const before = await counts();
        await expectRefused(
          await postJson(
            app,
            "/webhooks/event",
            '{"action": "create", "entity_type": "task", "time": "2026-11-22T10:00:00Z", "payload": {"id": "t-2", "name": "\\ud800"}}',
          ),
        );
        const push = defaultBranchPush();
        const delivery = githubDelivery({ event: "push", payload: push });
        const body = delivery.body.replace('"Fix the flaky test"', '"\\udc00"');
        expect(body).not.toBe(delivery.body);
        await expectRefused(
          await app.request("/webhooks/github", {
            method: "POST",
            headers: delivery.headers,
            body,
          }),
        );
        expect(await counts()).toEqual(before);
      });

      test("in a hook trigger's text body", async () => {
        const { id } = await (await postJson(app, "/webhook", { userid: "nul-test" })).json();
        const before = await counts();
        await expectRefused(
          await app.request(`/webhook/${id}`, {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: "a\u0000b",
          }),
        );
        expect(await counts()).toEqual(before);
      });

      test("but a Pub/Sub envelope whose data holds one is acknowledged and kept as rejected", async () => {
        const data = Buffer.from(JSON.stringify({ id: "e\u0000", type: "t", project: "p" }));
        const response = await postJson(app, "/notifications", {
          message: { data: data.toString("base64"), messageId: "nul-1" },
          subscription: "projects/p/subscriptions/s",
        });
        expect(response.status).toBe(202);
        expect(await response.json()).toMatchObject({
          status: "rejected",
          reason: expect.stringContaining("NUL"),
        });
      });
    });

    test("JSON nested 100,000 levels deep is a 422 wherever it comes in, not a stack overflow", async () => {
      const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
      const { id } = await (await postJson(app, "/webhook", { userid: "deep" })).json();
      const before = (await app.store.events.list({}, { limit: 500 })).items.length;
      const bodies: [string, string, Record<string, string>][] = [
        [
          "/webhooks/event",
          `{"action": "create", "entity_type": "task", "time": "2026-11-22T10:00:00Z", "payload": {"id": "deep", "x": ${deep}}}`,
          {},
        ],
        ["/webhooks/github", `{"zen": "deep", "x": ${deep}}`, { "x-github-event": "ping" }],
        [`/webhook/${id}`, deep, {}],
        ["/trigger/deep.json", deep, {}],
        ["/notifications", `{"id": "deep", "type": "t", "project": "p", "x": ${deep}}`, {}],
      ];
      for (const [path, body, headers] of bodies) {
        const response = await postJson(app, path, body, headers);
        expect({ path, status: response.status }).toEqual({ path, status: 422 });
        expect((await response.json()).error).toContain("nests deeper than 512 levels");
      }
      expect((await app.store.events.list({}, { limit: 500 })).items.length).toBe(before);
    });

    test("a payload nested 512 levels deep is stored and its dashboard page renders", async () => {
      const response = await postJson(
        app,
        "/trigger/deep.ok",
        `${"[".repeat(512)}"bottom"${"]".repeat(512)}`,
      );
      expect(response.status).toBe(202);
      const { event_id } = await response.json();
      const page = await app.request(`/dashboard/events/${event_id}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("deep.ok");
    });
  });
}
