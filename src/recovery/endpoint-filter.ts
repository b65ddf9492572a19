/**
 * An endpoint's payload filter as a replay and a resend apply it, by the rules fan-out
 * follows (../store/filtered-endpoints.ts, docs/filters.md), so that recovering sends an
 * endpoint what it would have been sent, and no more:
 * - no filter: every event of its types (the store then counts and queues in SQL alone);
 * - hookyard's own events (`hookyard.…`) pass whatever the filter says, as they reach
 *   the endpoints that take their type without it;
 * - a stored filter that no longer parses takes nothing else;
 * - otherwise, the events whose payload and headers the filter takes.
 */
import { isOperationalEventType } from "../delivery/event-types.ts";
import { matchesFilter, parseFilter } from "../delivery/payload-filter/index.ts";
import type { Endpoint } from "../store/endpoints.ts";
import type { TakesContent } from "../store/recovery.ts";

/** The test an event's content must pass for the endpoint; undefined when it has no filter. */
export function contentTestOf(endpoint: Pick<Endpoint, "filter">): TakesContent | undefined {
  if (endpoint.filter === null || endpoint.filter === undefined) return undefined;
  const parsed = parseFilter(endpoint.filter);
  const filter = parsed.ok ? parsed.filter : undefined;
  return (event) =>
    isOperationalEventType(event.type) ||
    (filter !== undefined &&
      matchesFilter(filter, { payload: event.payload, headers: event.headers }));
}
