/**
 * What `hookyard listen` sends to the local URL for one streamed event: the request the
 * sender made to hookyard, as near as it can be made again. Pure.
 *
 * The event's `headers` are the request headers as received, less credentials; its `body`
 * is the raw body as received, or null for the built-in routes (/trigger, /webhooks/event,
 * hooks…), whose payload is sent as JSON instead.
 */

/** An event as GET /events/stream sends it (`data` of an `event: event` message). */
export interface StreamedEvent {
  readonly id: string;
  readonly type: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

export interface ForwardRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The header that tells the local app which stored event it is getting (to dedupe on). */
export const EVENT_ID_HEADER = "x-hookyard-event-id";

/**
 * Headers that describe one connection or one encoding of the body, not the message
 * (RFC 9110 §7.6.1, RFC 9112): the local request has its own connection, and its body is
 * the stored text, so its length and encoding are fetch's to set. `host` names hookyard's
 * address, not the local app's.
 */
const NOT_FORWARDED = new Set([
  "accept-encoding",
  "connection",
  "content-encoding",
  "content-length",
  "expect",
  "host",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  EVENT_ID_HEADER,
]);

/** The event in `data`, or undefined when it is not one (a server too old or too new). */
export function parseStreamedEvent(data: string): StreamedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const event = value as Record<string, unknown>;
  if (typeof event.id !== "string" || typeof event.type !== "string") return undefined;
  return {
    id: event.id,
    type: event.type,
    payload: event.payload,
    headers: stringHeaders(event.headers),
    body: typeof event.body === "string" ? event.body : null,
  };
}

export function forwardRequest(event: StreamedEvent): ForwardRequest {
  const headers = cleanHeaders(event.headers);
  headers[EVENT_ID_HEADER] = event.id;
  if (event.body !== null) return { headers, body: event.body };
  headers["content-type"] = "application/json";
  // JSON.stringify(undefined) is undefined: an event without a payload sends `null`.
  return { headers, body: JSON.stringify(event.payload ?? null) };
}

/** The headers worth sending again: lower-cased, without the hop-by-hop and length ones. */
export function cleanHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const named = new Set(
    (headers.connection ?? headers.Connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ""),
  );
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    // A header the sender's Connection header names is hop-by-hop as well (RFC 9110 §7.6.1).
    if (NOT_FORWARDED.has(lower) || named.has(lower)) continue;
    cleaned[lower] = value;
  }
  return cleaned;
}

function stringHeaders(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(value)) {
    if (typeof header === "string") headers[name] = header;
  }
  return headers;
}
