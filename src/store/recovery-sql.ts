/**
 * The conditions both dialects' recovery stores (./pg/recovery.ts, ./sqlite/recovery.ts)
 * build their statements from: written once over either dialect's columns, as
 * ./event-filter.ts does for lists of events.
 */
import {
  type AnyColumn,
  and,
  eq,
  gte,
  lte,
  ne,
  not,
  or,
  type SQL,
  sql,
  type Table,
} from "drizzle-orm";
import {
  isOperationalEventType,
  matchesEventType,
  OPERATIONAL_PREFIX,
  WILDCARD,
} from "../delivery/event-types.ts";
import { newId } from "../lib/ids.ts";
import type { TimeCursor } from "./cursor.ts";
import { type DeliveryListColumns, deliveryListWhere } from "./delivery-filter.ts";
import { type FailedFilter, TEST_EVENT_TYPE, type TimeWindow } from "./recovery.ts";

/** Rows whose `time` falls in the window, both ends included. */
export function inWindow(time: AnyColumn, window: TimeWindow): SQL | undefined {
  return and(gte(time, window.since), window.until ? lte(time, window.until) : undefined);
}

/**
 * Failed deliveries matching `filter`, as GET /deliveries?status=failed selects them (the
 * event type looked up by the event's key for each failed delivery), after `after` in
 * ascending (created_at, id) order when given.
 */
export function failedWhere(
  deliveries: DeliveryListColumns,
  events: Table & { readonly id: AnyColumn; readonly type: AnyColumn },
  filter: FailedFilter,
  after?: TimeCursor | undefined,
): SQL | undefined {
  return and(
    deliveryListWhere(deliveries, events, { ...filter, status: "failed" }, undefined),
    after ? newerThan(deliveries.createdAt, deliveries.id, after) : undefined,
  );
}

/** A recovery window with an event type, as a filter of failed deliveries to one endpoint. */
export function windowFilter(
  endpointId: string,
  window: TimeWindow,
  eventType: string | undefined,
): FailedFilter {
  return { endpointId, eventType, since: window.since, until: window.until };
}

/**
 * Rows after the cursor in (time, id) ascending order, as a row-value comparison so that a
 * (…, time) index serves it as a range; the mirror of ./keyset.ts's olderThan.
 */
export function newerThan(time: AnyColumn, id: AnyColumn, cursor: TimeCursor): SQL {
  return sql`(${time}, ${id}) > (${sql.param(new Date(cursor.at), time)}, ${cursor.id})`;
}

/**
 * The event types an endpoint's filters take, as SQL over the `type` column, by the rules
 * of matchesEventType (../delivery/event-types.ts): `*` and no filters every type but
 * hookyard's own (`hookyard.…`); `github.*` a prefix, dot kept; anything else an exact
 * type. A prefix compares with substr, never LIKE: SQLite's LIKE ignores case, and `_` is
 * a wildcard in both.
 */
export function eventTypeCondition(type: AnyColumn, filters: readonly string[]): SQL {
  const ordinary = not(isOperational(type));
  if (filters.length === 0) return ordinary;
  const conditions = filters.map((filter) => {
    if (filter === WILDCARD) return ordinary;
    if (filter.endsWith(".*")) return startsWith(type, filter.slice(0, -1));
    return eq(type, filter);
  });
  return or(...conditions) ?? ordinary;
}

/** One of hookyard's own event types, in SQL. */
export function isOperational(type: AnyColumn): SQL {
  return startsWith(type, OPERATIONAL_PREFIX);
}

/** substr counts characters (code points) in both databases; JavaScript's length, UTF-16 units. */
function startsWith(column: AnyColumn, prefix: string): SQL {
  return sql`substr(${column}, 1, ${[...prefix].length}) = ${prefix}`;
}

/**
 * Where the batch after `rows` starts: after its last row, read in the database's own
 * (time, id) order (its collation, not JavaScript's, decides between ids of equal times);
 * null when fewer than `limit` rows came, the end of the window.
 */
export function nextAfter(
  rows: readonly { readonly at: Date; readonly id: string }[],
  limit: number,
): TimeCursor | null {
  const last = rows[rows.length - 1];
  return rows.length < limit || last === undefined ? null : { at: last.at.getTime(), id: last.id };
}

/**
 * An event a replay may queue to the endpoint, beyond its type: not one of hookyard's own
 * events about the endpoint (they never go to the endpoint they are about, or a failing
 * endpoint would feed itself; they name it in their payload's `endpoint.id`, which `about`
 * reads in the dialect's JSON), and not a test event (POST /endpoints/:id/test), which was
 * for the endpoint it tested alone.
 */
export function replayable(type: AnyColumn, about: SQL, endpointId: string): SQL {
  return and(
    ne(type, TEST_EVENT_TYPE),
    sql`not (${isOperational(type)} and coalesce(${about} = ${endpointId}, false))`,
  ) as SQL;
}

/** A scanned event, as a replay reads it before any payload filter. */
export interface ScannedEvent {
  readonly id: string;
  readonly type: string;
  /** The endpoint it is about, read for hookyard's own events only. */
  readonly about: string | null;
  /** Non-null when it has a delivery to the endpoint already. */
  readonly queued: number | null;
}

/**
 * The ids of the scanned events a replay queues to the endpoint, its payload filter
 * aside: replayable's rules, in JavaScript, for a scan that reads every event of a range.
 */
export function replayCandidates(
  rows: readonly ScannedEvent[],
  endpointId: string,
  eventTypes: readonly string[],
): string[] {
  return rows
    .filter(
      (row) =>
        row.queued === null &&
        matchesEventType(eventTypes, row.type) &&
        row.type !== TEST_EVENT_TYPE &&
        row.about !== endpointId,
    )
    .map((row) => row.id);
}

/**
 * Rows a filtered endpoint's count reads at a time: its payload filter runs in this
 * process, so the count reads each candidate's payload and headers, a page at a time so
 * that a window of millions never sits in memory at once (as RECOVERY_BATCH, in
 * ../recovery/service.ts, bounds a replay's batches).
 */
export const COUNT_PAGE = 1_000;

/** One page of a count: how many it counted, and where the next starts (null: the end). */
export interface CountedPage {
  readonly counted: number;
  readonly next: TimeCursor | null;
}

/** Runs `page` from the start of the window to its end; the sum of what each counted. */
export async function countPages(
  page: (after: TimeCursor | undefined) => Promise<CountedPage>,
): Promise<number> {
  let total = 0;
  let after: TimeCursor | undefined;
  for (;;) {
    const result = await page(after);
    total += result.counted;
    if (result.next === null) return total;
    after = result.next;
    // SQLite reads a page on this thread: let the server answer others in between.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A new delivery, pending and due `now`, as every recovery operation queues one. */
export function pendingDelivery(eventId: string, endpointId: string, now: Date) {
  return {
    id: newId(),
    eventId,
    endpointId,
    status: "pending",
    attemptCount: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** The endpoint that one of hookyard's own events is about (or a test event tested). */
export function endpointAbout(type: string, payload: unknown): string | undefined {
  if (!isOperationalEventType(type) || typeof payload !== "object" || payload === null) {
    return undefined;
  }
  const endpoint = (payload as { endpoint?: unknown }).endpoint;
  if (typeof endpoint !== "object" || endpoint === null) return undefined;
  const id = (endpoint as { id?: unknown }).id;
  return typeof id === "string" ? id : undefined;
}
