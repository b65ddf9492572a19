/**
 * The conditions both dialects' recovery stores (./pg/recovery.ts, ./sqlite/recovery.ts)
 * build their statements from: written once over either dialect's columns, as
 * ./event-filter.ts does for lists of events.
 */
import { type AnyColumn, and, eq, gte, lte, or, type SQL, sql } from "drizzle-orm";
import { WILDCARD } from "../delivery/event-types.ts";
import type { TimeCursor } from "./cursor.ts";
import type { TimeWindow } from "./recovery.ts";

/** Rows whose `time` falls in the window, both ends included. */
export function inWindow(time: AnyColumn, window: TimeWindow): SQL | undefined {
  return and(gte(time, window.since), window.until ? lte(time, window.until) : undefined);
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
 * of matchesEventType (../delivery/event-types.ts): undefined (every type) for no filters
 * or `*`; `github.*` a prefix, dot kept; anything else an exact type. A prefix compares
 * with substr, never LIKE: SQLite's LIKE ignores case, and `_` is a wildcard in both.
 */
export function eventTypeCondition(type: AnyColumn, filters: readonly string[]): SQL | undefined {
  if (filters.length === 0 || filters.includes(WILDCARD)) return undefined;
  const conditions = filters.map((filter) => {
    if (!filter.endsWith(".*")) return eq(type, filter);
    const prefix = filter.slice(0, -1);
    // substr counts characters (code points) in both databases; JavaScript's length
    // counts UTF-16 units.
    return sql`substr(${type}, 1, ${[...prefix].length}) = ${prefix}`;
  });
  return or(...conditions);
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
