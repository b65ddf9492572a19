import { type AnyColumn, and, eq, gte, lte, type SQL } from "drizzle-orm";
import type { TimeCursor } from "./cursor.ts";
import type { EventFilter } from "./events.ts";
import { olderThan } from "./keyset.ts";

/** The columns of either dialect's events table that a list filters on. */
export interface EventListColumns {
  readonly source: AnyColumn;
  readonly type: AnyColumn;
  readonly entityId: AnyColumn;
  readonly receivedAt: AnyColumn;
  readonly id: AnyColumn;
}

/**
 * The WHERE of a page of events: each of the filter's fields, then the page's cursor.
 * The text match is the dialect's own (ILIKE on PostgreSQL's jsonb as text, LIKE on
 * SQLite's JSON text).
 */
export function eventListWhere(
  events: EventListColumns,
  filter: EventFilter,
  after: TimeCursor | undefined,
  textMatch: (text: string) => SQL | undefined,
): SQL | undefined {
  return and(
    filter.source ? eq(events.source, filter.source) : undefined,
    filter.type ? eq(events.type, filter.type) : undefined,
    filter.entityId ? eq(events.entityId, filter.entityId) : undefined,
    filter.since ? gte(events.receivedAt, filter.since) : undefined,
    filter.until ? lte(events.receivedAt, filter.until) : undefined,
    filter.text ? textMatch(filter.text) : undefined,
    after ? olderThan(events.receivedAt, events.id, after) : undefined,
  );
}
