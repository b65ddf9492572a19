import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import type { TimeCursor } from "./cursor.ts";

/**
 * Rows after the cursor in (time desc, id desc) order, written as a row-value comparison
 * so that the (time, id) index serves it as a range. The equivalent `time < t OR (time = t
 * AND id < i)` makes PostgreSQL walk the index from the newest row and filter: 22 ms
 * instead of 0.1 ms for a page deep in 200,000 events. The time is encoded by the
 * column itself (timestamptz on PostgreSQL, epoch ms on SQLite).
 */
export function olderThan(time: AnyColumn, id: AnyColumn, cursor: TimeCursor): SQL {
  return sql`(${time}, ${id}) < (${sql.param(new Date(cursor.at), time)}, ${cursor.id})`;
}
