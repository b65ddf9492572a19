/**
 * How the event pages read their query and show stored events: pure functions, no HTTP
 * context, no store. The views (event-list.tsx, event-detail.tsx, entity.tsx) and the
 * routes (events.tsx) build on these.
 */

import { isJsonObject } from "../../lib/json.ts";
import { decodeTimeCursor, type TimeCursor } from "../../store/cursor.ts";
import {
  type EventFilter,
  type EventSource,
  EVENT_SOURCES as SOURCES,
  type StoredEvent,
} from "../../store/events.ts";
import { type QueryValues, queryValue } from "../components/index.ts";

const SOURCE_LABELS: Record<EventSource, string> = {
  github: "GitHub",
  entity: "Entity events",
  trigger: "Triggered",
  hook: "Hooks",
  hookyard: "hookyard itself",
};

/** The sources an event can come from (the store's one list), for the filter's select. */
export const EVENT_SOURCES = SOURCES.map((value) => ({ value, label: SOURCE_LABELS[value] }));

/** Longest value each filter accepts, as the JSON API does. */
const FILTER_LIMITS = { source: 64, type: 256, entity_id: 256, q: 200 } as const;

export interface EventListRequest {
  readonly filter: EventFilter;
  readonly after: TimeCursor | undefined;
  /** Filters or a cursor that were ignored, and why: shown above the list. */
  readonly problems: readonly string[];
}

/**
 * The filters and page of `/dashboard` from its query. A bad value never fails the page:
 * the list shows without it and says what was ignored, as a person who pasted a broken
 * link would want.
 */
export function readEventListQuery(query: QueryValues): EventListRequest {
  const problems: string[] = [];
  const read = (name: keyof typeof FILTER_LIMITS, label: string): string | undefined => {
    const value = queryValue(query, name);
    if (value === undefined) return undefined;
    if (!isPlausibleText(value, FILTER_LIMITS[name])) {
      problems.push(
        `The ${label} filter was ignored: at most ${FILTER_LIMITS[name]} characters, without control characters.`,
      );
      return undefined;
    }
    return value;
  };
  const filter: EventFilter = {
    source: read("source", "source"),
    type: read("type", "type"),
    entityId: read("entity_id", "entity"),
    text: read("q", "text"),
  };
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    problems.push("That page link is not valid (any more): showing the newest events.");
  }
  return { filter, after, problems };
}

/** True when any filter (not the cursor) is in effect. */
export function hasFilters(filter: EventFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined);
}

/**
 * Ids and filter text go into database parameters: NUL is refused by PostgreSQL's text
 * type (an error, not an empty result), and no real id holds a control character.
 */
export function isPlausibleText(value: string, maxLength = 256): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return value.length > 0 && value.length <= maxLength && !/[\u0000-\u001f\u007f]/.test(value);
}

/** A link to an entity's page; ids come from payloads, so they are always encoded. */
export const entityHref = (entityId: string): string =>
  `/dashboard/entities/${encodeURIComponent(entityId)}`;

export const eventHref = (eventId: string): string =>
  `/dashboard/events/${encodeURIComponent(eventId)}`;

export const deliveryHref = (deliveryId: string): string =>
  `/dashboard/deliveries/${encodeURIComponent(deliveryId)}`;

/**
 * The entity's own fields in an entity event. `POST /webhooks/event` keeps the body as
 * sent (`{action, entity_type, time, modified_fields?, payload}`), so the fields are its
 * `payload`; a stored payload of another shape is shown whole.
 */
export function entityFields(event: Pick<StoredEvent, "source" | "payload">): unknown {
  if (event.source !== "entity" || !isJsonObject(event.payload)) return event.payload;
  return isJsonObject(event.payload.payload) ? event.payload.payload : event.payload;
}

/** `modified_fields` of an entity event as sent, or undefined when it did not say. */
export function modifiedFields(
  event: Pick<StoredEvent, "source" | "payload">,
): string[] | undefined {
  if (event.source !== "entity" || !isJsonObject(event.payload)) return undefined;
  const fields = event.payload.modified_fields;
  return Array.isArray(fields) ? fields.map((field) => String(field)) : undefined;
}

/** What a list row shows of an event's payload: for entity events their fields. */
export function payloadPreview(event: Pick<StoredEvent, "source" | "payload">, maxChars = 160) {
  return compactJsonPreview(entityFields(event), maxChars);
}

/**
 * One-line JSON of `value`, cut at `maxChars` with "…". The serializer is lazy, so a
 * 25 MB payload costs no more than a small one: a list page previews fifty of them.
 */
export function compactJsonPreview(value: unknown, maxChars: number): string {
  let text = "";
  for (const chunk of jsonChunks(value, maxChars)) {
    text += chunk;
    if (text.length > maxChars) return `${text.slice(0, maxChars)}…`;
  }
  return text;
}

function* jsonChunks(value: unknown, maxChars: number): Generator<string> {
  if (typeof value === "string") {
    // Only the start of a long string can be shown; don't escape the rest of it.
    yield JSON.stringify(value.length > maxChars ? value.slice(0, maxChars + 1) : value);
  } else if (Array.isArray(value)) {
    yield "[";
    for (const [index, item] of value.entries()) {
      if (index > 0) yield ",";
      yield* jsonChunks(item, maxChars);
    }
    yield "]";
  } else if (isJsonObject(value)) {
    yield "{";
    let first = true;
    for (const key of Object.keys(value)) {
      if (value[key] === undefined) continue;
      if (!first) yield ",";
      first = false;
      yield `${JSON.stringify(key.length > maxChars ? key.slice(0, maxChars + 1) : key)}:`;
      yield* jsonChunks(value[key], maxChars);
    }
    yield "}";
  } else if (typeof value === "bigint") {
    yield value.toString();
  } else if (value === undefined) {
    yield "";
  } else {
    yield JSON.stringify(value) ?? "";
  }
}

/**
 * The origin to show in copyable commands (curl lines, trigger URLs): the host the browser
 * used. Behind a proxy that ends TLS we see http; its `X-Forwarded-Proto` is taken for
 * display only (it decides nothing; a wrong one only shows a wrong scheme).
 */
export function displayOrigin(request: Request): string {
  const url = new URL(request.url);
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const protocol = forwarded === "https" || forwarded === "http" ? `${forwarded}:` : url.protocol;
  return `${protocol}//${url.host}`;
}

/** A curl that sends a first entity event, for the empty events list. */
export function firstEventCurl(origin: string, now: Date): string {
  const body = JSON.stringify({
    action: "create",
    entity_type: "task",
    time: `${now.toISOString().slice(0, 19)}Z`,
    payload: { id: "task-1", name: "Write docs" },
  });
  return [
    `curl -X POST ${shellQuote(`${origin}/webhooks/event`)} \\`,
    "  -H 'content-type: application/json' \\",
    `  -d ${shellQuote(body)}`,
  ].join("\n");
}

/** Single-quoted for POSIX shells: the host comes from the request, so quote it too. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_:/.@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
