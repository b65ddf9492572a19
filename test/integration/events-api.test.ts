import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EVENT_SOURCES, type NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const t0 = Date.parse("2026-11-20T08:00:00Z");

function event(i: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    source: i % 3 === 0 ? "github" : "entity",
    type: i % 2 === 0 ? "task.create" : "task.update",
    entityType: "task",
    entityId: `task-${i % 4}`,
    action: i % 2 === 0 ? "create" : "update",
    occurredAt: new Date(t0 + i * 1000),
    receivedAt: new Date(t0 + i * 1000),
    payload: { i, title: i === 5 ? "Find the needle" : "hay" },
    headers: {},
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`events API (${dialect})`, () => {
    let app: TestApp;
    const ids: string[] = [];

    beforeAll(async () => {
      app = await startTestApp(dialect);
      for (let i = 0; i < 12; i++) {
        const result = await app.store.events.record(event(i));
        if (result.status === "stored") ids.push(result.event.id);
      }
    });
    afterAll(() => app.stop());

    const getJson = async (path: string) => {
      const response = await app.request(path);
      return { status: response.status, body: await response.json() };
    };

    describe("GET /events", () => {
      test("lists events newest first with the contract's fields", async () => {
        const { status, body } = await getJson("/events?limit=2");
        expect(status).toBe(200);
        expect(body.events.map((e: { id: string }) => e.id)).toEqual([ids[11], ids[10]]);
        expect(body.events[0]).toEqual({
          id: ids[11],
          source: "entity",
          type: "task.update",
          entity_type: "task",
          entity_id: "task-3",
          action: "update",
          occurred_at: "2026-11-20T08:00:11.000Z",
          received_at: "2026-11-20T08:00:11.000Z",
          payload: { i: 11, title: "hay" },
          headers: {},
          // Only a source's events keep their body as received.
          body: null,
        });
        expect(body.next_cursor).toBeString();
      });

      test("follows next_cursor through every page without gaps or repeats", async () => {
        const seen: string[] = [];
        let path = "/events?limit=5";
        for (;;) {
          const { body } = await getJson(path);
          seen.push(...body.events.map((e: { id: string }) => e.id));
          if (!body.next_cursor) break;
          path = `/events?limit=5&cursor=${body.next_cursor}`;
        }
        expect(seen).toEqual([...ids].reverse());
      });

      test("filters by source, type, entity, time window and text", async () => {
        const bySource = await getJson("/events?source=github");
        expect(bySource.body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([
          9, 6, 3, 0,
        ]);
        const byType = await getJson("/events?type=task.create&entity_id=task-0");
        expect(byType.body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([
          8, 4, 0,
        ]);
        const window = await getJson(
          "/events?since=2026-11-20T08:00:02Z&until=2026-11-20T08:00:04Z",
        );
        expect(window.body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([
          4, 3, 2,
        ]);
        const text = await getJson("/events?q=NEEDLE");
        expect(text.body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([5]);
      });

      test("a type ending in .* takes every type under that prefix, and * every type", async () => {
        const byPrefix = await getJson("/events?type=task.*&limit=500");
        expect(byPrefix.body.events).toHaveLength(12);
        const under = await getJson("/events?type=task.up*");
        expect(under.status).toBe(422);
        const none = await getJson("/events?type=tas.*");
        expect(none.body.events).toEqual([]);
        const all = await getJson("/events?type=*&source=github");
        expect(all.body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([
          9, 6, 3, 0,
        ]);
      });

      test("a prefix matches by dotted segment and by case, as endpoint filters do", async () => {
        // After every fixture, and on an entity of their own: the tests above saw none of these.
        const at = new Date(t0 + 60_000);
        for (const type of ["review.opened", "reviewer.added", "Review.closed"]) {
          await app.store.events.record(event(0, { type, entityId: "review-1", receivedAt: at }));
        }
        const { body } = await getJson("/events?type=review.*&since=2026-11-20T08:01:00Z");
        expect(body.events.map((e: { type: string }) => e.type)).toEqual(["review.opened"]);
      });

      test("prefix pages follow next_cursor like any other filter", async () => {
        const seen: number[] = [];
        let path = "/events?type=task.*&until=2026-11-20T08:00:11Z&limit=4";
        for (;;) {
          const { body } = await getJson(path);
          seen.push(...body.events.map((e: { payload: { i: number } }) => e.payload.i));
          if (!body.next_cursor) break;
          path = `/events?type=task.*&until=2026-11-20T08:00:11Z&limit=4&cursor=${body.next_cursor}`;
        }
        expect(seen).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      });

      test("an unknown source is a 422 naming the sources there are", async () => {
        const { status, body } = await getJson("/events?source=gitlab");
        expect(status).toBe(422);
        expect(body.details).toEqual([
          { field: "source", message: `expected one of ${EVENT_SOURCES.join(", ")}, got "gitlab"` },
        ]);
        expect(body.details[0].message).toStartWith(
          "expected one of github, entity, trigger, hook",
        );
      });

      test("a time that is not RFC 3339, or an until before since, is a 422 naming it", async () => {
        const bad = await getJson("/events?until=2026-11-20%2008:00");
        expect(bad.status).toBe(422);
        expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(["until"]);
        const reversed = await getJson(
          "/events?since=2026-11-20T09:00:00Z&until=2026-11-20T08:00:00Z",
        );
        expect(reversed.status).toBe(422);
        expect(reversed.body.details).toEqual([{ field: "until", message: "is before since" }]);
      });

      test("a bad parameter is a 422 naming each one", async () => {
        const { status, body } = await getJson("/events?limit=501&since=yesterday&cursor=nope!");
        expect(status).toBe(422);
        expect(body.error).toBe("invalid query parameters");
        expect(body.details.map((d: { field: string }) => d.field).sort()).toEqual([
          "cursor",
          "limit",
          "since",
        ]);
      });
    });

    describe("GET /events/:id", () => {
      test("returns the event", async () => {
        const { status, body } = await getJson(`/events/${ids[5]}`);
        expect(status).toBe(200);
        expect(body.payload).toEqual({ i: 5, title: "Find the needle" });
      });

      test("an unknown id is a 404", async () => {
        const { status, body } = await getJson("/events/no-such-event");
        expect(status).toBe(404);
        expect(body).toEqual({ error: 'no event with id "no-such-event"', details: [] });
      });
    });

    describe("GET /entities/:entity_id", () => {
      test("returns the entity's events oldest first", async () => {
        const { status, body } = await getJson("/entities/task-1");
        expect(status).toBe(200);
        expect(body.entity_id).toBe("task-1");
        expect(body.events.map((e: { payload: { i: number } }) => e.payload.i)).toEqual([1, 5, 9]);
      });

      test("an entity with no events is a 404", async () => {
        expect((await getJson("/entities/nobody")).status).toBe(404);
      });
    });
  });
}

describe("events API behind ADMIN_TOKEN", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN: "s3cret-token" } });
  });
  afterAll(() => app.stop());

  test("no credentials is a 401 that says what to send", async () => {
    const response = await app.request("/events");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect((await response.json()).error).toContain("Authorization: Bearer");
  });

  test("a wrong token is a 401", async () => {
    const response = await app.request("/events", { headers: { authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
  });

  test("Basic auth with the token is refused on the API (browsers resend it cross-site)", async () => {
    const basic = Buffer.from("admin:s3cret-token").toString("base64");
    const response = await app.request("/events", { headers: { authorization: `Basic ${basic}` } });
    expect(response.status).toBe(401);
  });

  test("the right Bearer token is let in", async () => {
    const response = await app.request("/events", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    expect(response.status).toBe(200);
  });

  test("operations routes never need the token", async () => {
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    expect((await app.request("/metrics")).status).toBe(200);
  });
});
