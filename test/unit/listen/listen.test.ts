/**
 * The listen loop against a scripted hookyard and local app (an injected fetch): what it
 * sends where, what it prints, and how it resumes, without a server or a clock.
 */
import { describe, expect, test } from "bun:test";
import { EXIT_REFUSED, EXIT_STOPPED, type ListenIo, listen } from "../../../src/listen/listen.ts";
import type { ListenOptions } from "../../../src/listen/options.ts";

const FROM = "http://hookyard.test/";
const FORWARD = "http://app.test/hooks";
const SERVER_DATE = "Sat, 05 Dec 2026 10:15:00 GMT";
/** The smallest UUIDv7 of SERVER_DATE's second. */
const SERVER_DATE_FLOOR = `${Date.parse(SERVER_DATE)
  .toString(16)
  .padStart(12, "0")
  .replace(/^(.{8})/, "$1-")}-0000-0000-000000000000`;

const options = (overrides: Partial<ListenOptions> = {}): ListenOptions => ({
  from: FROM,
  token: "T",
  forward: FORWARD,
  source: undefined,
  type: undefined,
  replaySinceMs: undefined,
  ...overrides,
});

/** One stored event as GET /events/stream sends it. */
const eventMessage = (id: string, type = "invoice.paid", payload: unknown = { id }) =>
  `id: ${id}\nevent: event\ndata: ${JSON.stringify({ id, source: "trigger", type, payload })}\n\n`;
const deliveryMessage = `event: delivery\ndata: {"delivery_id":"d1","event_id":"e1","status":"delivered"}\n\n`;
const OPENING = "retry: 2000\n: hookyard live stream\n\n";

/** How the scripted hookyard answers one GET /events/stream. */
type StreamScript =
  | { chunks: string[]; ending: "end" | "cut" | "hang" }
  | { status: number; body?: string; headers?: Record<string, string> };

interface Scripted {
  readonly io: ListenIo;
  readonly stop: AbortController;
  /** Headers of each stream request, in order. */
  readonly streamRequests: Headers[];
  readonly forwarded: { headers: Headers; body: string }[];
  readonly printed: string[];
  readonly statuses: string[];
  readonly sleeps: number[];
}

/**
 * A hookyard that answers stream requests from `streams` in turn (and stops `listen` once
 * they run out), and a local app that answers with `app`.
 */
function scripted(
  streams: StreamScript[],
  app: (body: string) => Response | Promise<Response> = () => new Response("ok"),
): Scripted {
  const stop = new AbortController();
  const result: Omit<Scripted, "io"> = {
    stop,
    streamRequests: [],
    forwarded: [],
    printed: [],
    statuses: [],
    sleeps: [],
  };
  const encoder = new TextEncoder();
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (url.startsWith(FORWARD)) {
      const body = String(init?.body);
      result.forwarded.push({ headers, body });
      // As fetch does: an abort rejects at once, whatever the app is doing.
      const aborted = new Promise<never>((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
      aborted.catch(() => {});
      return Promise.race([app(body), aborted]);
    }
    result.streamRequests.push(headers);
    const script = streams.shift();
    if (script === undefined) {
      stop.abort();
      throw new DOMException("stopped", "AbortError");
    }
    if ("status" in script) {
      return new Response(script.body ?? "", { status: script.status, headers: script.headers });
    }
    // Pulled chunk by chunk, as the network hands them over: an error would discard
    // chunks still queued, which a reset connection's reader has read already.
    const pending = [...script.chunks];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pending.shift();
        if (next !== undefined) return controller.enqueue(encoder.encode(next));
        if (script.ending === "end") return controller.close();
        if (script.ending === "cut") {
          return controller.error(
            Object.assign(new Error("socket closed"), { code: "ECONNRESET" }),
          );
        }
        return new Promise<void>(() => {});
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", date: SERVER_DATE },
    });
  };
  const io: ListenIo = {
    fetch: fakeFetch as typeof fetch,
    print: (line) => result.printed.push(line),
    status: (line) => result.statuses.push(line),
    now: () => Date.parse("2026-12-05T10:15:30Z"),
    sleep: async (ms) => {
      result.sleeps.push(ms);
    },
  };
  return { ...result, io };
}

const run = (s: Scripted, overrides: Partial<ListenOptions> = {}, silentMs?: number) =>
  listen(options(overrides), s.io, s.stop.signal, silentMs);

describe("listen", () => {
  test("sends each event on in order, once, and prints a line for each", async () => {
    const s = scripted([
      {
        chunks: [
          OPENING,
          eventMessage("e1"),
          deliveryMessage,
          ": keep-alive\n\n",
          eventMessage("e2", "invoice.voided"),
        ],
        ending: "cut",
      },
    ]);
    expect(await run(s)).toBe(EXIT_STOPPED);
    expect(s.forwarded.map((f) => f.headers.get("x-hookyard-event-id"))).toEqual(["e1", "e2"]);
    expect(s.forwarded.map((f) => f.body)).toEqual(['{"id":"e1"}', '{"id":"e2"}']);
    expect(s.forwarded[0]?.headers.get("content-type")).toBe("application/json");
    expect(s.printed).toHaveLength(2);
    expect(s.printed[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}invoice\.paid {2}e1 {2}→ 200 in \d+ ms$/,
    );
    expect(s.printed[1]).toContain("invoice.voided  e2  → 200 in");
  });

  test("asks for the stream with the token and the filters", async () => {
    const s = scripted([]);
    await run(s, { source: "stripe-live", type: "invoice.*" });
    expect(s.streamRequests[0]?.get("authorization")).toBe("Bearer T");
    expect(s.streamRequests[0]?.get("accept")).toBe("text/event-stream");
    expect(s.streamRequests[0]?.has("last-event-id")).toBe(false);
  });

  test("resumes after the last event it sent on, however the stream ended", async () => {
    const s = scripted([
      { chunks: [OPENING, eventMessage("e1"), eventMessage("e2")], ending: "cut" },
      { chunks: [eventMessage("e3")], ending: "end" },
      { chunks: [], ending: "end" },
    ]);
    await run(s);
    const resumedAfter = s.streamRequests.map((headers) => headers.get("last-event-id"));
    expect(resumedAfter).toEqual([null, "e2", "e3", "e3"]);
    expect(s.statuses.filter((line) => line.includes("reconnecting"))).toEqual([
      "the stream was cut: connection reset; reconnecting in 0.5 s",
      "the stream ended; reconnecting in 0.5 s",
      // A stream that brought nothing does not start the backoff over.
      "the stream ended; reconnecting in 1 s",
    ]);
    expect(s.statuses).toContain(
      `connected to ${FROM}events/stream, resuming after e2; forwarding events to ${FORWARD}`,
    );
  });

  test("a half-received event is not sent on; the next stream brings it whole", async () => {
    const half = eventMessage("e2").slice(0, 30);
    const s = scripted([
      { chunks: [eventMessage("e1"), half], ending: "cut" },
      { chunks: [eventMessage("e2")], ending: "end" },
    ]);
    await run(s);
    expect(s.forwarded.map((f) => f.headers.get("x-hookyard-event-id"))).toEqual(["e1", "e2"]);
    expect(s.streamRequests[1]?.get("last-event-id")).toBe("e1");
  });

  test("cut before any event, it resumes from when it connected on the server's clock", async () => {
    const s = scripted([{ chunks: [OPENING], ending: "cut" }]);
    await run(s);
    expect(s.streamRequests[1]?.get("last-event-id")).toBe(SERVER_DATE_FLOOR);
  });

  test("--replay-since asks for the events after the window's first millisecond", async () => {
    const s = scripted([]);
    await run(s, { replaySinceMs: 3_600_000 });
    const since = Date.parse("2026-12-05T09:15:30Z");
    expect(s.streamRequests[0]?.get("last-event-id")).toBe(
      `${since
        .toString(16)
        .padStart(12, "0")
        .replace(/^(.{8})/, "$1-")}-0000-0000-000000000000`,
    );
    expect(s.statuses[0]).toBe(
      "replaying the events stored since 2026-12-05T09:15:30.000Z (1h ago), then live",
    );
  });

  test("a local app that is down or failing is reported, and the next event still goes", async () => {
    let calls = 0;
    const s = scripted(
      [{ chunks: [eventMessage("e1"), eventMessage("e2"), eventMessage("e3")], ending: "end" }],
      () => {
        calls++;
        if (calls === 1)
          throw Object.assign(new Error("Unable to connect"), { code: "ECONNREFUSED" });
        return new Response("no", { status: calls === 2 ? 500 : 200 });
      },
    );
    await run(s);
    expect(
      s.printed.map((line) => line.replace(/^.* {2}(e\d)/, "$1").replace(/\d+ ms/, "N ms")),
    ).toEqual(["e1  → error: connection refused", "e2  → 500 in N ms", "e3  → 200 in N ms"]);
  });

  test("the wait before reconnecting doubles while connections fail, and starts over after an event", async () => {
    const s = scripted([
      { status: 502 },
      { status: 502 },
      { status: 503, headers: { "retry-after": "5" } },
      { chunks: [], ending: "end" },
      { chunks: [eventMessage("e1")], ending: "end" },
      { status: 502 },
    ]);
    await run(s);
    // 502, 502, 503 with Retry-After: 5, a stream that ends at once; one that brought an event; 502.
    expect(s.sleeps).toEqual([500, 1_000, 5_000, 4_000, 500, 1_000]);
  });

  test.each<[string, StreamScript, string]>([
    [
      "a refused token",
      { status: 401, body: '{"error":"missing or wrong admin token"}' },
      "the token was refused",
    ],
    ["a URL that is not a hookyard", { status: 404 }, "not a hookyard"],
    [
      "a filter the server refuses",
      { status: 422, body: '{"error":"invalid","details":[{"field":"type","message":"bad"}]}' },
      "--type: bad",
    ],
  ])("%s stops it with exit code 2 and a line saying so", async (_name, answer, says) => {
    const s = scripted([answer]);
    expect(await run(s)).toBe(EXIT_REFUSED);
    expect(s.statuses).toHaveLength(1);
    expect(s.statuses[0]).toStartWith(
      "hookyard listen: http://hookyard.test/events/stream answered",
    );
    expect(s.statuses[0]).toContain(says);
  });

  test("a stream that goes silent is opened again", async () => {
    const s = scripted([
      { chunks: [eventMessage("e1")], ending: "hang" },
      { chunks: [eventMessage("e2")], ending: "end" },
    ]);
    await run(s, {}, 50);
    expect(s.statuses).toContain("nothing from the stream in 0.1 s; reconnecting in 0.5 s");
    expect(s.streamRequests[1]?.get("last-event-id")).toBe("e1");
  });

  test("a stop while an event is being sent on ends it at once, with exit code 0", async () => {
    const s = scripted(
      [{ chunks: [eventMessage("e1"), eventMessage("e2")], ending: "hang" }],
      () => {
        s.stop.abort();
        return new Promise<Response>(() => {});
      },
    );
    expect(await run(s)).toBe(EXIT_STOPPED);
    expect(s.forwarded).toHaveLength(1);
    expect(s.printed).toEqual([]);
  });
});
