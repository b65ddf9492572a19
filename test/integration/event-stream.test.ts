import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { attemptOutcome } from "../../src/events/stream-bus.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { capturingLogger, startReceiver } from "../support/receiver.ts";
import { dataOf, isDelivery, isEvent, openSse, type SseClient } from "../support/sse.ts";
import { until } from "../support/until.ts";

/** Short, so that catching up takes several pages and a quiet stream hears a heartbeat soon. */
const STREAMS = { pageSize: 2, heartbeatMs: 200, maxStreams: 4 };

function stored(type: string, overrides: Partial<NewEvent> = {}): NewEvent {
  const now = new Date();
  return {
    source: "trigger",
    type,
    occurredAt: now,
    receivedAt: now,
    payload: { type },
    headers: {},
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`GET /events/stream (${dialect})`, () => {
    let app: TestApp;
    const open: SseClient[] = [];
    const stream = async (query = "", headers: Record<string, string> = {}) => {
      const client = await openSse(`${app.url}/events/stream${query}`, headers);
      open.push(client);
      return client;
    };
    const record = async (type: string, overrides: Partial<NewEvent> = {}) => {
      const result = await app.store.events.record(stored(type, overrides));
      if (result.status !== "stored") throw new Error("not stored");
      return result.event.id;
    };

    beforeAll(async () => {
      app = await startTestApp(dialect, { app: { streams: STREAMS } });
    });
    afterAll(async () => {
      await Promise.all(open.map((client) => client.close()));
      await app.stop();
    });

    test("streams each new event with its id, as GET /events/:id shows it", async () => {
      const client = await stream();
      expect(client.response.status).toBe(200);
      expect(client.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const response = await postJson(app, "/trigger/live.one", { n: 1 });
      const { event_id } = await response.json();
      const message = await client.next(isEvent);
      expect(message.id).toBe(event_id);
      expect(dataOf(message)).toEqual(await (await app.request(`/events/${event_id}`)).json());
      await client.close();
    });

    test("filters by source and by a type prefix, as GET /events does", async () => {
      const client = await stream("?source=trigger&type=task.*");
      await record("other.created");
      await record("task.created", { source: "entity" });
      await record("tasks.created");
      const wanted = await record("task.created");
      const message = await client.next(isEvent);
      // Events go out in the order they were stored: anything let through comes first.
      expect(message.id).toBe(wanted);
      await client.close();
    });

    test("a bad filter or Last-Event-ID is a 422 naming it, before any stream opens", async () => {
      const source = await app.request("/events/stream?source=gitlab");
      expect(source.status).toBe(422);
      expect((await source.json()).details[0].field).toBe("source");
      const type = await app.request("/events/stream?type=ta*");
      expect((await type.json()).details[0].field).toBe("type");
      const resume = await app.request("/events/stream", {
        headers: { "last-event-id": "yesterday" },
      });
      expect(resume.status).toBe(422);
      expect((await resume.json()).details[0].field).toBe("Last-Event-ID");
    });

    test("resumes after Last-Event-ID with what was stored since, then goes on live", async () => {
      const before = await record("resume.zero");
      const missed = [];
      for (let i = 1; i <= 5; i++) missed.push(await record(`resume.${i}`));
      await record("elsewhere.one");
      const client = await stream("?type=resume.*", { "last-event-id": before });
      const live = await record("resume.live");
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await client.next(isEvent)).id);
      expect(ids).toEqual([...missed, live]);
      await client.close();
    });

    test("last_event_id in the query resumes as the header does", async () => {
      const before = await record("query.zero");
      const after = await record("query.one");
      const client = await stream(`?type=query.*&last_event_id=${before}`);
      expect((await client.next(isEvent)).id).toBe(after);
      await client.close();
    });

    test("each delivery outcome any worker announces is a delivery event", async () => {
      const client = await stream("?type=outcome.*");
      const eventId = await record("outcome.sent");
      const announce = (eventType: string, status: string, statusCode: number | null) =>
        app.store.broadcast(
          "attempts",
          JSON.stringify(
            attemptOutcome({
              deliveryId: `delivery-${status}`,
              endpointId: "endpoint-1",
              eventId,
              eventType,
              attempt: { attemptedAt: new Date(), statusCode, durationMs: 12, error: null },
              outcome: { status },
            }),
          ),
        );
      announce("other.type", "delivered", 200);
      announce("outcome.sent", "pending", 503);
      const message = await client.next(isDelivery);
      expect(dataOf(message)).toMatchObject({
        delivery_id: "delivery-pending",
        event_id: eventId,
        endpoint_id: "endpoint-1",
        event_type: "outcome.sent",
        status: "pending",
        status_code: 503,
      });
      expect(message.id).toBeUndefined();
      // Its event went out first: the outcome waited for the feed to read it.
      const eventIndex = client.messages.findIndex((m) => m.id === eventId);
      expect(eventIndex).toBeGreaterThanOrEqual(0);
      expect(eventIndex).toBeLessThan(client.messages.indexOf(message));
      await client.close();
    });

    test("a real attempt by the delivery worker reaches the stream as its outcome", async () => {
      const receiver = startReceiver();
      const worked = await startTestApp(dialect, {
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true" },
      });
      try {
        await postJson(worked, "/endpoints", {
          url: `${receiver.url}/hooks`,
          event_types: ["worked.*"],
        });
        const client = await openSse(`${worked.url}/events/stream?type=worked.*`);
        open.push(client);
        const { event_id } = await (await postJson(worked, "/trigger/worked.out", {})).json();
        const message = await client.next(isDelivery);
        expect(dataOf(message)).toMatchObject({
          event_id,
          event_type: "worked.out",
          status: "delivered",
          status_code: 200,
        });
        await client.close();
      } finally {
        await worked.stop();
        await receiver.stop();
      }
    });

    test("a quiet stream gets comment lines", async () => {
      const client = await stream("?type=quiet.*");
      const comment = await client.next((m) => m.event === "comment" && m.data === "keep-alive");
      expect(comment.data).toBe("keep-alive");
      await client.close();
    });

    test("more than the streams an instance allows is a 503 that says to come back", async () => {
      await Promise.all(open.map((client) => client.close()));
      const clients = [];
      for (let i = 0; i < STREAMS.maxStreams; i++) clients.push(await stream());
      expect(clients.every((c) => c.response.status === 200)).toBe(true);
      const refused = await app.request("/events/stream");
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      await clients[0]?.close();
      // The server hears of the closed connection a moment later.
      await until(
        async () => (await stream()).response.status === 200,
        5_000,
        () => "a closed stream's place was not freed",
      );
    });
  });
}

describe("GET /events/stream across instances", () => {
  if (!dialects.includes("postgres")) {
    test.skip("needs TEST_DATABASE_URL", () => {});
    return;
  }
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await startTestApp("postgres");
    second = await startTestApp("postgres", { database: first.database });
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  test("an event stored by one instance and its outcomes reach the other's streams", async () => {
    const client = await openSse(`${second.url}/events/stream?type=across.*`);
    const { event_id } = await (await postJson(first, "/trigger/across.one", {})).json();
    expect((await client.next(isEvent)).id).toBe(event_id);
    first.store.broadcast(
      "attempts",
      JSON.stringify(
        attemptOutcome({
          deliveryId: "delivery-across",
          endpointId: "endpoint-across",
          eventId: event_id,
          eventType: "across.one",
          attempt: { attemptedAt: new Date(), statusCode: 200, durationMs: 5, error: null },
          outcome: { status: "delivered" },
        }),
      ),
    );
    expect(dataOf(await client.next(isDelivery))).toMatchObject({
      delivery_id: "delivery-across",
      status: "delivered",
    });
    await client.close();
  });
});

describe("GET /events/stream, its bounds", () => {
  test("a client that stops reading is dropped instead of held in memory", async () => {
    const logs = capturingLogger();
    const app = await startTestApp("sqlite", {
      log: logs.log,
      app: { streams: { maxQueuedBytes: 256 * 1024 } },
    });
    try {
      const socket = connect(Number(new URL(app.url).port), "127.0.0.1");
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write("GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await new Promise((resolve) => socket.once("data", resolve));
      socket.pause();
      // Far more than the socket's buffers and the queue hold together.
      const payload = { blob: "x".repeat(256 * 1024) };
      for (let i = 0; i < 120; i++) {
        await app.store.events.record(stored("flood.big", { payload }));
      }
      await until(
        () => logs.entries.some((e) => e.msg.startsWith("live stream dropped")),
        20_000,
        () => "the stream was not dropped",
      );
      socket.resume();
      await closed;
    } finally {
      await app.stop();
    }
  }, 30_000);

  test("a stream outlives Bun's idle timeout", async () => {
    const app = await startTestApp("sqlite", {
      app: { idleTimeoutSeconds: 1, streams: { heartbeatMs: 60_000 } },
    });
    try {
      const client = await openSse(`${app.url}/events/stream`);
      // Bun cuts an idle connection after about twice its idleTimeout, writes or not:
      // without server.timeout(request, 0) this stream was cut at 2 s.
      let cut = false;
      void client.ended.then(() => {
        cut = true;
      });
      await Bun.sleep(3_000);
      expect(cut).toBe(false);
      const { event_id } = await (await postJson(app, "/trigger/late.one", {})).json();
      expect((await client.next(isEvent)).id).toBe(event_id);
      await client.close();
    } finally {
      await app.stop();
    }
  }, 30_000);

  test("a shutdown ends open streams instead of waiting out SHUTDOWN_TIMEOUT", async () => {
    const app = await startTestApp("sqlite", { settings: { SHUTDOWN_TIMEOUT: "20s" } });
    const client = await openSse(`${app.url}/events/stream`);
    const started = performance.now();
    await app.stop();
    await client.ended;
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 30_000);

  test("behind ADMIN_TOKEN, a stream needs the token", async () => {
    const app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN: "s3cret-token" } });
    try {
      expect((await app.request("/events/stream")).status).toBe(401);
      const client = await openSse(`${app.url}/events/stream`, {
        authorization: "Bearer s3cret-token",
      });
      expect(client.response.status).toBe(200);
      await client.close();
    } finally {
      await app.stop();
    }
  });
});
