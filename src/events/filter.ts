/**
 * The filters on events as the API reads them from a query: GET /events, GET
 * /events/stream and GET /deliveries (the delivery's event type) share these, so a
 * value means the same everywhere and a bad one is a 422 naming the parameter.
 */
import type { QueryReader } from "../http/query.ts";
import { typeFilterProblem } from "../store/event-filter.ts";
import { EVENT_SOURCES, type EventOrigin } from "../store/events.ts";

/**
 * A built-in source (EVENT_SOURCES) or one of the gateway's `sources` names; anything else
 * is a problem naming them all (not a silent empty page).
 */
export function readSource(
  read: QueryReader,
  sources: readonly string[] = [],
): EventOrigin | undefined {
  const source = read.text("source", 64);
  if (source === undefined) return undefined;
  const allowed = [...EVENT_SOURCES, ...sources];
  if (allowed.includes(source)) return source;
  read.problems.push({
    field: "source",
    message: `expected one of ${allowed.join(", ")}, got "${source}"`,
  });
  return undefined;
}

/** An exact type, `prefix.*` or `*` (../store/event-filter.ts). */
export function readType(read: QueryReader): string | undefined {
  const type = read.text("type");
  if (type === undefined) return undefined;
  const problem = typeFilterProblem(type);
  if (problem === undefined) return type;
  read.problems.push({ field: "type", message: `${problem}, got "${type}"` });
  return undefined;
}

/** The description of `type` in the OpenAPI document. */
export const TYPE_PARAMETER =
  'an event type: exact ("task.update"), or every type under a prefix ("task.*")';

export const SOURCE_PARAMETER = `one of ${EVENT_SOURCES.join(", ")}, or a source's name (GET /sources)`;

/** `since` and `until` (RFC 3339), both inclusive; an `until` before `since` is a problem. */
export function readTimeWindow(read: QueryReader): { since?: Date; until?: Date } {
  const since = read.timestamp("since");
  const until = read.timestamp("until");
  if (since && until && until < since) {
    read.problems.push({ field: "until", message: "is before since" });
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

export const SINCE_PARAMETER = "at or after this time (RFC 3339, e.g. 2026-11-22T10:00:00Z)";
export const UNTIL_PARAMETER = "at or before this time (RFC 3339)";
