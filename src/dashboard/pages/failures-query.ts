/**
 * What the Failures page reads from its query, and its retry forms from their bodies: the
 * filter (endpoint, event type, since, until) and the page's cursor. Pure: no HTTP
 * context, no store. A bad filter is refused (the page says why, status 422), never
 * silently dropped: a retry of "these" must be of exactly what the reader asked for.
 */

import { parseTimestamp } from "../../http/query.ts";
import { decodeTimeCursor, type TimeCursor } from "../../store/cursor.ts";
import { typeFilterProblem } from "../../store/event-filter.ts";
import type { FailedFilter } from "../../store/recovery.ts";
import { hrefWith, type QueryValues, queryValue } from "../components/index.ts";
import { isPlausibleText } from "./event-display.ts";

export const FAILURES_PATH = "/dashboard/failures";

/** The filter's query parameters, in the order the form shows them. */
export const FILTER_FIELDS = ["endpoint_id", "type", "since", "until"] as const;
export type FilterFieldName = (typeof FILTER_FIELDS)[number];

/** The names the page uses for its fields in messages. */
export const FIELD_LABELS: Readonly<Record<FilterFieldName, string>> = {
  endpoint_id: "Endpoint",
  type: "Event type",
  since: "Since",
  until: "Until",
};

export interface FailuresFilterRequest {
  readonly filter: FailedFilter;
  /** The filter's fields as given, empty ones left out: what links and forms carry on. */
  readonly values: Readonly<Partial<Record<FilterFieldName, string>>>;
  /** Why the filter was refused, by field; empty when it is good. */
  readonly problems: readonly string[];
}

export interface FailuresListRequest extends FailuresFilterRequest {
  readonly after: TimeCursor | undefined;
  /** A cursor that was ignored (the page shows the newest instead), and why. */
  readonly cursorProblem: string | undefined;
}

/**
 * `since` and `until` as a datetime-local field sends them (`2026-11-22T10:00`, seconds
 * optional), read as UTC as every time on the dashboard is; a full RFC 3339 time (from a
 * link, or typed) is read as it says.
 */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

export function parseFilterTime(value: string): Date | undefined {
  return parseTimestamp(LOCAL_TIME.test(value) ? `${value}Z` : value);
}

/**
 * The filter from a query or a form body. `endpointIds` are the endpoints there are: an
 * id among none of them would match nothing, which is a mistake to say, not an empty list.
 */
export function readFailuresFilter(
  input: QueryValues,
  endpointIds: ReadonlySet<string>,
): FailuresFilterRequest {
  const problems: string[] = [];
  const values: Partial<Record<FilterFieldName, string>> = {};
  for (const name of FILTER_FIELDS) {
    const value = queryValue(input, name)?.trim();
    if (value !== undefined && value !== "") values[name] = value;
  }
  const text = (name: FilterFieldName): string | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (isPlausibleText(value)) return value;
    problems.push(`${FIELD_LABELS[name]}: at most 256 characters, without control characters.`);
    return undefined;
  };
  const endpointId = text("endpoint_id");
  if (endpointId !== undefined && !endpointIds.has(endpointId)) {
    problems.push(`Endpoint: there is no endpoint with id "${endpointId}".`);
  }
  const eventType = text("type");
  const typeProblem = eventType === undefined ? undefined : typeFilterProblem(eventType);
  if (typeProblem !== undefined) problems.push(`Event type: ${typeProblem}.`);
  const time = (name: "since" | "until"): Date | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const date = parseFilterTime(value);
    if (date === undefined) {
      problems.push(
        `${FIELD_LABELS[name]}: expected a date and time in UTC such as 2026-11-22T10:00.`,
      );
    }
    return date;
  };
  const since = time("since");
  const until = time("until");
  if (since && until && until.getTime() < since.getTime()) {
    problems.push("Until: must not be before Since.");
  }
  const filter: FailedFilter = {
    endpointId,
    // `*` is every type: no filter, as GET /deliveries reads it.
    eventType: eventType === "*" ? undefined : eventType,
    since,
    until,
  };
  return { filter, values, problems };
}

export function readFailuresList(
  query: QueryValues,
  endpointIds: ReadonlySet<string>,
): FailuresListRequest {
  const request = readFailuresFilter(query, endpointIds);
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  const cursorProblem =
    cursorText !== undefined && after === undefined
      ? "That page link is not valid (any more): showing the newest failures."
      : undefined;
  return { ...request, after, cursorProblem };
}

export function hasFilters(values: FailuresFilterRequest["values"]): boolean {
  return Object.keys(values).length > 0;
}

/** The Failures page with these filters (and no cursor). */
export function failuresHref(values: FailuresFilterRequest["values"]): string {
  return hrefWith(FAILURES_PATH, values);
}

/** `retried:QUEUED.SKIPPED`, the one-time notice a bulk retry leaves for the page (../flash.ts). */
export const retriedNotice = (queued: number, skipped: number) => `retried:${queued}.${skipped}`;

/** The message of that notice, or undefined for any other keyword. */
export function retriedMessage(notice: string | undefined): string | undefined {
  const match = /^retried:(\d{1,15})\.(\d{1,15})$/.exec(notice ?? "");
  if (!match) return undefined;
  const queued = Number(match[1]);
  const skipped = Number(match[2]);
  return `Queued ${deliveries(queued)}; skipped ${skipped} to disabled endpoints.`;
}

export const deliveries = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;
