/**
 * The text/event-stream wire format (WHATWG HTML, "Server-sent events"): what
 * GET /events/stream writes. Pure functions over strings.
 */
import type { StoredEvent } from "../store/events.ts";
import { eventJson } from "./model.ts";
import type { AttemptOutcome } from "./stream-bus.ts";

/** How long a client waits before reconnecting after the stream ends, in ms (`retry:`). */
export const RECONNECT_MS = 2_000;

/**
 * One message. `data` is JSON, which holds no raw newline, so it is one `data:` line;
 * `id` sets the client's Last-Event-ID, which only stored events carry (what a resumed
 * stream reads from the store).
 */
export function sseMessage(event: string, data: unknown, id?: string): string {
  const idLine = id === undefined ? "" : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: ignored by clients, it keeps proxies from closing a quiet stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, " ")}\n\n`;
}

/** The first bytes of a stream: the reconnection delay, and a comment that says it is live. */
export function sseOpening(): string {
  return `retry: ${RECONNECT_MS}\n${sseComment("hookyard live stream")}`;
}

export function eventMessage(event: StoredEvent): string {
  return sseMessage("event", eventJson(event), event.id);
}

/**
 * What a stream of notices (the dashboard's) says of a new event: which one, not what it
 * holds. A page only needs to know that something changed to fetch its own view again,
 * and an event can be megabytes.
 */
export function eventNotice(event: Pick<StoredEvent, "id" | "source" | "type">): string {
  return sseMessage("event", { id: event.id, source: event.source, type: event.type });
}

export function deliveryMessage(outcome: AttemptOutcome): string {
  return sseMessage("delivery", outcome);
}
