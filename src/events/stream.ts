/**
 * GET /events/stream: new events and delivery outcomes as server-sent events. The route
 * reads its filters and Last-Event-ID, opens a stream on the hub (./stream-hub.ts) and
 * answers with its body.
 */
import type { Server } from "bun";
import { t } from "elysia";
import { ApiError } from "../http/errors.ts";
import { QueryReader } from "../http/query.ts";
import { readSource, readType, SOURCE_PARAMETER, TYPE_PARAMETER } from "./filter.ts";
import type { StreamFilter, StreamShape } from "./live-stream.ts";
import { type EventStreamHub, StreamsUnavailable } from "./stream-hub.ts";

export const EventStreamQuery = t.Object({
  source: t.Optional(t.String({ description: SOURCE_PARAMETER })),
  type: t.Optional(t.String({ description: TYPE_PARAMETER })),
  last_event_id: t.Optional(
    t.String({
      description:
        "resume after this event id, as the Last-Event-ID header does (the header wins); without either, only what happens from now on",
    }),
  ),
});

/** How long an ended stream's connection may go without progress, as any request's (app.ts). */
const ENDED_TIMEOUT_SECONDS = 10;

/** An event id as hookyard takes them: a UUID. */
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  // nginx buffers a proxied response unless told not to, which would hold events back.
  "x-accel-buffering": "no",
} as const;

export function openEventStream(
  hub: EventStreamHub,
  sources: readonly string[],
  {
    query,
    request,
    server,
  }: {
    query: Record<string, string | undefined>;
    request: Request;
    server: Server<unknown> | null;
  },
): Response {
  const read = new QueryReader(query);
  const filter = { source: readSource(read, sources), type: readType(read) };
  const lastEventId = readLastEventId(read, request.headers.get("last-event-id"));
  read.done();
  return streamResponse(hub, { filter, lastEventId, shape: "full", request, server });
}

/**
 * A stream from the hub as the response's body: GET /events/stream's, and the dashboard's
 * notices (../dashboard/live-stream.ts). 503 when the instance has as many as it takes.
 */
export function streamResponse(
  hub: EventStreamHub,
  {
    filter,
    lastEventId,
    shape,
    request,
    server,
  }: {
    filter: StreamFilter;
    lastEventId: string | undefined;
    shape: StreamShape;
    request: Request;
    server: Server<unknown> | null;
  },
): Response {
  let stream: ReturnType<EventStreamHub["open"]>;
  try {
    // Once the stream has ended (dropped, or at shutdown) a client that reads nothing
    // would keep what Bun buffered for it for good: the idle timeout closes it instead.
    stream = hub.open(
      filter,
      lastEventId,
      () => server?.timeout(request, ENDED_TIMEOUT_SECONDS),
      shape,
    );
  } catch (error) {
    if (!(error instanceof StreamsUnavailable)) throw error;
    throw new ApiError(
      503,
      `${error.message}; try again shortly`,
      [{ open_streams: hub.openStreams }],
      { "retry-after": "5" },
    );
  }
  // Bun's idleTimeout counts from the request, and writes do not reset it: without this,
  // every stream was cut after IDLE_TIMEOUT_SECONDS, heartbeats or not.
  server?.timeout(request, 0);
  return new Response(stream.client.body, { headers: STREAM_HEADERS });
}

function readLastEventId(read: QueryReader, header: string | null): string | undefined {
  const field = header === null || header === "" ? "last_event_id" : "Last-Event-ID";
  const value = header || read.text("last_event_id", 64);
  if (value === undefined || value === "") return undefined;
  if (EVENT_ID.test(value)) return value;
  read.problems.push({ field, message: `not an event id: "${value.slice(0, 64)}"` });
  return undefined;
}

export const STREAM_DESCRIPTION = [
  "Each stored event as `event: event` with `id:` its id and `data:` the event as GET /events/:id shows it;",
  "each finished delivery attempt as `event: delivery` with `data:` {delivery_id, event_id, event_type, endpoint_id, status, status_code, attempted_at, duration_ms, error};",
  "a `: keep-alive` comment line every few seconds.",
  "`source` and `type` filter both (a delivery by its event's).",
  "Reconnecting with Last-Event-ID (EventSource does) resumes with the events stored after that id; delivery outcomes missed meanwhile are not replayed (GET /deliveries has them).",
].join(" ");
