import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";

const t0 = Date.parse("2026-11-20T08:00:00Z");
const TYPES = ["task.create", "task.update", "component.update", "tasks.archived"];

for (const dialect of dialects) {
  describe(`GET /deliveries filters (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;
    let endpointId: string;
    /** The event's index (its second after t0) for each delivery id. */
    const indexOf = new Map<string, number>();

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
      receiver = startReceiver();
      const response = await postJson(app, "/endpoints", { url: receiver.url });
      endpointId = (await response.json()).id;
      for (let i = 0; i < 8; i++) {
        const at = new Date(t0 + i * 1000);
        const result = await app.store.events.record({
          source: "trigger",
          type: TYPES[i % TYPES.length] as string,
          occurredAt: at,
          receivedAt: at,
          payload: { i },
          headers: {},
        });
        if (result.status !== "stored") throw new Error("not stored");
        const page = await app.store.deliveries.list({ eventId: result.event.id }, { limit: 5 });
        for (const delivery of page.items) indexOf.set(delivery.id, i);
      }
    });
    afterAll(async () => {
      await app.stop();
      await receiver.stop();
    });

    /** The event indexes of the deliveries listed at `query`, newest first, every page. */
    const listed = async (query: string) => {
      const seen: number[] = [];
      let path = `/deliveries?limit=3&${query}`;
      for (;;) {
        const response = await app.request(path);
        expect(response.status).toBe(200);
        const body = await response.json();
        seen.push(...body.deliveries.map((d: { id: string }) => indexOf.get(d.id)));
        if (!body.next_cursor) return seen;
        path = `/deliveries?limit=3&${query}&cursor=${body.next_cursor}`;
      }
    };

    test("every delivery is listed without filters", async () => {
      expect(indexOf.size).toBe(8);
      expect(await listed("")).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    });

    test("type takes the event's exact type, or every type under a prefix", async () => {
      expect(await listed("type=task.update")).toEqual([5, 1]);
      expect(await listed("type=task.*")).toEqual([5, 4, 1, 0]);
      expect(await listed("type=component.*")).toEqual([6, 2]);
      expect(await listed("type=nothing.*")).toEqual([]);
    });

    test("since and until bound when the delivery was created, both inclusive", async () => {
      expect(await listed("since=2026-11-20T08:00:02Z&until=2026-11-20T08:00:05Z")).toEqual([
        5, 4, 3, 2,
      ]);
      expect(await listed("since=2026-11-20T08:00:06Z")).toEqual([7, 6]);
    });

    test("filters combine with each other and with the endpoint", async () => {
      expect(
        await listed(`endpoint_id=${endpointId}&type=task.*&since=2026-11-20T08:00:01Z`),
      ).toEqual([5, 4, 1]);
      expect(await listed("endpoint_id=no-such-endpoint&type=task.*")).toEqual([]);
    });

    test("a bad type or time is a 422 naming each parameter", async () => {
      const response = await app.request("/deliveries?type=ta*sk&since=monday&until=2026-13-01");
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        "since",
        "type",
        "until",
      ]);
    });
  });
}
