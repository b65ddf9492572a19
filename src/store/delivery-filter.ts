import { type AnyColumn, and, eq, gte, lte, type SQL, sql, type Table } from "drizzle-orm";
import type { TimeCursor } from "./cursor.ts";
import type { DeliveryFilter } from "./deliveries.ts";
import { typeCondition, typeFilterOf } from "./event-filter.ts";
import { olderThan } from "./keyset.ts";

/** The columns of either dialect's deliveries table that a list filters on. */
export interface DeliveryListColumns {
  readonly id: AnyColumn;
  readonly eventId: AnyColumn;
  readonly endpointId: AnyColumn;
  readonly status: AnyColumn;
  readonly createdAt: AnyColumn;
}

/**
 * The WHERE of a page of deliveries: each of the filter's fields, then the page's cursor.
 * The event type is its event's, looked up by the event's primary key for each delivery
 * the rest of the WHERE lets through. `listedTypes` are the types under a prefix filter
 * (./event-filter.ts, typesUnderPrefix).
 */
export function deliveryListWhere(
  deliveries: DeliveryListColumns,
  events: Table & { readonly id: AnyColumn; readonly type: AnyColumn },
  filter: DeliveryFilter,
  after: TimeCursor | undefined,
  listedTypes?: readonly string[],
): SQL | undefined {
  const type = typeFilterOf(filter.eventType);
  return and(
    filter.endpointId ? eq(deliveries.endpointId, filter.endpointId) : undefined,
    filter.eventId ? eq(deliveries.eventId, filter.eventId) : undefined,
    filter.status ? eq(deliveries.status, filter.status) : undefined,
    filter.since ? gte(deliveries.createdAt, filter.since) : undefined,
    filter.until ? lte(deliveries.createdAt, filter.until) : undefined,
    type
      ? sql`exists (select 1 from ${events} where ${events.id} = ${deliveries.eventId} and ${typeCondition(events.type, type, listedTypes)})`
      : undefined,
    after ? olderThan(deliveries.createdAt, deliveries.id, after) : undefined,
  );
}
