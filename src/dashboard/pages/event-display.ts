/**
 * How the event pages read their query and show stored events: pure functions, no HTTP
 * context, no store. The views (event-list.tsx, event-detail.tsx, entity.tsx) and the
 * routes (events.tsx) build on these.
 */

import { readSource, readTimeWindow, readType } from "../../events/filter.ts";
import { type FieldProblem, QueryReader } from "../../http/query.ts";
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

/** The select's options: the built-in sources, then the gateway's sources by name. */
export function sourceOptions(sourceNames: readonly string[]): { value: string; label: string }[] {
  return [...EVENT_SOURCES, ...sourceNames.map((name) => ({ value: name, label: name }))];
}

/** Longest value each free-text filter accepts, as the JSON API does. */
const FILTER_LIMITS = { type: 256, entity_id: 256, q: 200 } as const;

export interface EventListRequest {
  readonly filter: EventFilter;
  readonly after: TimeCursor | undefined;
  /** Filters or a cursor that were ignored, and why: shown above the list. */
  readonly problems: readonly string[];
  /**
   * Filters that cannot be read (an unknown source, a time that is no time): the page
   * lists nothing and says why (422), as GET /events refuses them, rather than showing
   * an unfiltered or silently empty list the reader would take for an answer.
   */
  readonly invalid: readonly string[];
}

/**
 * The filters and page of `/dashboard` from its query. A value GET /events would refuse
 * (source, type pattern, since, until) is read by the API's own readers and refused the
 * same way; a filter that is merely too long is ignored with a warning, and a broken
 * cursor starts from the newest page, as a person who pasted a broken link would want.
 * `sourceNames` are the gateway's sources, which the source filter takes beside the
 * built-in ones.
 */
export function readEventListQuery(
  query: QueryValues,
  sourceNames: readonly string[] = [],
): EventListRequest {
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
  const type = read("type", "type");
  const since = queryValue(query, "since");
  const until = queryValue(query, "until");
  const api = new QueryReader({
    source: queryValue(query, "source"),
    type,
    since: since === undefined ? undefined : asUtc(since),
    until: until === undefined ? undefined : asUtc(until),
  });
  const filter: EventFilter = {
    source: readSource(api, sourceNames),
    type: readType(api),
    entityId: read("entity_id", "entity"),
    ...readTimeWindow(api),
    text: read("q", "text"),
  };
  const invalid = api.problems.map((problem) => invalidFilterMessage(problem, query, sourceNames));
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    problems.push("That page link is not valid (any more): showing the newest events.");
  }
  return { filter, after, problems, invalid };
}

/**
 * A datetime-local input sends `2026-11-20T08:00` (seconds optional), without a zone:
 * the dashboard shows times in UTC, so that is what it means.
 */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

const asUtc = (value: string): string => (LOCAL_DATE_TIME.test(value) ? `${value}Z` : value);

/** `time` as a datetime-local input shows it, in UTC: to the minute unless it has seconds. */
export function dateTimeLocalValue(time: Date): string {
  const iso = time.toISOString();
  if (time.getUTCMilliseconds() !== 0) return iso.slice(0, 23);
  return time.getUTCSeconds() === 0 ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** What a person reads about a filter value GET /events would refuse. */
function invalidFilterMessage(
  problem: FieldProblem,
  query: QueryValues,
  sourceNames: readonly string[],
): string {
  const given = JSON.stringify(queryValue(query, problem.field) ?? "");
  switch (problem.field) {
    case "source":
      return `There is no source ${given}. Choose one of: ${[...SOURCES, ...sourceNames].join(", ")}.`;
    case "type":
      return `The type filter ${problem.message}. Use an exact type (task.update) or a prefix (task.*).`;
    case "until":
      if (problem.message === "is before since") {
        return "The until time is before the since time, so nothing could match.";
      }
      return notATime("until", given);
    default:
      return notATime(problem.field, given);
  }
}

const notATime = (field: string, given: string) =>
  `The ${field} filter ${given} is not a date and time. Pick one, or write it as RFC 3339 (2026-11-22T10:00:00Z); a time without a zone is read as UTC.`;

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

export { displayOrigin } from "../../http/origin.ts";

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
