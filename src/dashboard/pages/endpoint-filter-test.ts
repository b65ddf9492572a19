/**
 * Whether an endpoint would take a stored event, and why: its event types, then its
 * payload filter, judged as the store judges them when an event comes in
 * (../../store/filtered-endpoints.ts), without writing anything. Pure.
 */
import { matchesEventType } from "../../delivery/event-types.ts";
import { matchesFilter, parseFilter } from "../../delivery/payload-filter/index.ts";
import type { StoredEvent } from "../../store/events.ts";

export type FilterOutcome =
  /** No filter (null, or `{}`, which is stored as none): every event of its types. */
  | { readonly kind: "none" }
  | { readonly kind: "matched" }
  | { readonly kind: "not-matched" }
  /** A filter that does not read: the store takes nothing with it. */
  | { readonly kind: "unreadable"; readonly problems: readonly string[] };

export interface FilterVerdict {
  readonly typeMatched: boolean;
  readonly filter: FilterOutcome;
  /** Both hold: the event would be queued for the endpoint. */
  readonly taken: boolean;
}

const isEmptyDocument = (filter: unknown) =>
  filter === null ||
  filter === undefined ||
  (typeof filter === "object" && !Array.isArray(filter) && Object.keys(filter).length === 0);

/** The filter's outcome is worked out even when the type already rules the event out, to show both. */
export function judgeEvent(
  eventTypes: readonly string[],
  filter: unknown,
  event: Pick<StoredEvent, "type" | "payload" | "headers">,
): FilterVerdict {
  const typeMatched = matchesEventType(eventTypes, event.type);
  const outcome = filterOutcome(filter, event);
  const filterTakes = outcome.kind === "none" || outcome.kind === "matched";
  return { typeMatched, filter: outcome, taken: typeMatched && filterTakes };
}

function filterOutcome(
  filter: unknown,
  event: Pick<StoredEvent, "payload" | "headers">,
): FilterOutcome {
  if (isEmptyDocument(filter)) return { kind: "none" };
  const parsed = parseFilter(filter);
  if (!parsed.ok) {
    return {
      kind: "unreadable",
      problems: parsed.problems.map(({ path, message }) => `${path}: ${message}`),
    };
  }
  const matched = matchesFilter(parsed.filter, { payload: event.payload, headers: event.headers });
  return { kind: matched ? "matched" : "not-matched" };
}
