/**
 * An entity's current state, folded from its events (`GET /aggregates/:entity_id`).
 * Pure: the route loads the events and adds the entity id.
 *
 * Events are applied in the sender's `time` order, not in arrival order, because senders
 * retry and run several workers: an update can arrive before the create it follows.
 * Equal times are broken by arrival (`receivedAt`, then `sequence`, then the order
 * given), so the fold is deterministic for one set of events.
 */
import { isJsonObject, type JsonObject } from "../../lib/json.ts";
import type { EntityAction } from "./model.ts";

export interface StoredEntityEvent {
  readonly entityType: string;
  readonly action: EntityAction;
  readonly occurredAt: Date;
  readonly receivedAt: Date;
  /** An arrival counter, when the store has one, for events received in the same millisecond. */
  readonly sequence?: number;
  readonly payload: unknown;
}

export interface EntityAggregate {
  /** Of the last event applied; null when there are no events. */
  readonly entity_type: string | null;
  readonly state: JsonObject;
  /** How many events were folded. */
  readonly version: number;
  /** ISO-8601: the first create's time, else the first event's; null when there are no events. */
  readonly created_at: string | null;
  /** ISO-8601: the last applied event's time; null when there are no events. */
  readonly updated_at: string | null;
  readonly deleted: boolean;
}

/** The fold's starting point, and the answer for an entity with no events. */
export const EMPTY_AGGREGATE: EntityAggregate = Object.freeze({
  entity_type: null,
  state: Object.freeze({}),
  version: 0,
  created_at: null,
  updated_at: null,
  deleted: false,
});

/**
 * - `create` sets the state to its payload and clears `deleted` (a create after a delete
 *   brings the entity back).
 * - `update` merges its payload shallowly: each top-level key replaces the one in the
 *   state (a nested object is replaced whole, a `null` value is kept as null, not a
 *   removal). An update before any create starts from `{}`; an update after a delete
 *   is merged but the entity stays deleted: only a create brings it back.
 * - `delete` marks the entity deleted and keeps the last known state.
 * A payload that is not an object (the route never stores one) counts as `{}`.
 */
export function foldEntity(events: readonly StoredEntityEvent[]): EntityAggregate {
  const ordered = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => compareApplication(a.event, b.event) || a.index - b.index);

  let state: JsonObject = {};
  let deleted = false;
  let firstCreateAt: Date | undefined;
  for (const { event } of ordered) {
    const payload = isJsonObject(event.payload) ? event.payload : {};
    switch (event.action) {
      case "create":
        state = { ...payload };
        deleted = false;
        firstCreateAt ??= event.occurredAt;
        break;
      case "update":
        // Spread, not Object.assign: a JSON key "__proto__" must stay a plain key, not
        // replace the state's prototype.
        state = { ...state, ...payload };
        break;
      case "delete":
        deleted = true;
        break;
    }
  }

  const first = ordered[0]?.event;
  const last = ordered.at(-1)?.event;
  if (!first || !last) return EMPTY_AGGREGATE;
  return {
    entity_type: last.entityType,
    state,
    version: ordered.length,
    created_at: (firstCreateAt ?? first.occurredAt).toISOString(),
    updated_at: last.occurredAt.toISOString(),
    deleted,
  };
}

function compareApplication(a: StoredEntityEvent, b: StoredEntityEvent): number {
  return (
    a.occurredAt.getTime() - b.occurredAt.getTime() ||
    a.receivedAt.getTime() - b.receivedAt.getTime() ||
    (a.sequence ?? 0) - (b.sequence ?? 0)
  );
}
