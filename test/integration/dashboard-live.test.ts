/**
 * GET /dashboard/stream: what the dashboard's live pages listen to. Notices only (an
 * event's id, source and type; a delivery's outcome), behind the dashboard's Basic auth.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { startReceiver } from "../support/receiver.ts";
import { dataOf, isDelivery, isEvent, openSse, type SseClient } from "../support/sse.ts";

const ADMIN_TOKEN = "live-dashboard-token";
const basic = { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` };
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

for (const dialect of dialects) {
  describe(`GET /dashboard/stream (${dialect})`, () => {
    let app: TestApp;
    const receiver = startReceiver(() => new Response("ok"));
    const open: SseClient[] = [];
    const stream = async (headers: Record<string, string>) => {
      const client = await openSse(`${app.url}/dashboard/stream`, headers);
      open.push(client);
      return client;
    };
    const post = (path: string, body: unknown) => postJson(app, path, body, bearer);

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        settings: { ADMIN_TOKEN, ALLOW_PRIVATE_ENDPOINTS: "true" },
        app: { streams: { heartbeatMs: 200 } },
      });
    });
    afterAll(async () => {
      await Promise.all(open.map((client) => client.close()));
      await app.stop();
      await receiver.stop();
    });

    test("asks for the dashboard's password, and takes no API token", async () => {
      const none = await app.request("/dashboard/stream");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toContain("Basic");
      const token = await app.request("/dashboard/stream", { headers: bearer });
      expect(token.status).toBe(401);
    });

    test("a new event is announced by id, source and type, without its payload", async () => {
      const client = await stream(basic);
      expect(client.response.status).toBe(200);
      expect(client.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const secret = "x".repeat(10_000);
      const response = await post("/trigger/live.notice", { secret });
      expect(response.status).toBe(202);
      const { event_id } = await response.json();
      const message = await client.next(isEvent);
      expect(dataOf(message)).toEqual({ id: event_id, source: "trigger", type: "live.notice" });
      expect(message.data).not.toContain(secret);
      await client.close();
    });

    test("a delivery's outcome is announced with its endpoint, event and status", async () => {
      const endpoint = await (
        await post("/endpoints", { url: receiver.url, event_types: ["live.*"] })
      ).json();
      const client = await stream(basic);
      const { event_id } = await (await post("/trigger/live.delivered", {})).json();
      const message = await client.next(isDelivery);
      expect(dataOf(message)).toMatchObject({
        event_id,
        endpoint_id: endpoint.id,
        event_type: "live.delivered",
        status: "delivered",
        status_code: 200,
      });
      await client.close();
    });
  });
}
