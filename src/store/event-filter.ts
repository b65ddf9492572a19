import { type AnyColumn, and, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
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

/** An event type filter: one type, or every type under a dotted prefix (`task.` for `task.*`). */
export type TypeFilter = { readonly exact: string } | { readonly prefix: string };

const PREFIX_SUFFIX = ".*";

/**
 * `type` as EventFilter says: `task.*` → the prefix `task.` (the dot kept, so `tasks.x`
 * does not match), `*` → no filter, anything else exact.
 */
export function typeFilterOf(type: string | undefined): TypeFilter | undefined {
  if (type === undefined || type === "*") return undefined;
  return type.endsWith(PREFIX_SUFFIX) ? { prefix: type.slice(0, -1) } : { exact: type };
}

/** Why a `type` filter is invalid, or undefined: `*` only alone or as the last segment. */
export function typeFilterProblem(type: string): string | undefined {
  if (type === "*") return undefined;
  const stem = type.endsWith(PREFIX_SUFFIX) ? type.slice(0, -PREFIX_SUFFIX.length) : type;
  if (stem.includes("*")) return 'may use * only alone ("*") or as a last segment ("task.*")';
  if (stem === "") return 'needs a prefix before ".*" (or use "*")';
  return undefined;
}

/** True when `type` passes the filter; the same rule as the SQL of `typeCondition`. */
export function typeMatches(filter: TypeFilter | undefined, type: string): boolean {
  if (filter === undefined) return true;
  return "exact" in filter ? type === filter.exact : type.startsWith(filter.prefix);
}

/**
 * A prefix is looked up as the list of stored types under it, when there are at most
 * this many distinct types in all: `type in (…)` then uses the type index, where a
 * prefix match (PostgreSQL uses no index for LIKE outside the C collation, and a range
 * sorts every match) read every event over a million for a rare prefix (350-550 ms).
 */
export const DISTINCT_TYPES_LIMIT = 1_000;

/**
 * Every distinct event type, walked over the type index one probe per type (a loose
 * index scan: both dialects answer `min(type)` from the index), at most
 * DISTINCT_TYPES_LIMIT + 1 of them. The same SQL on both dialects.
 */
export const DISTINCT_TYPES_SQL = sql.raw(
  `with recursive t(type) as (
     select min(type) from events
     union all
     select (select min(e.type) from events e where e.type > t.type) from t where t.type is not null
   )
   select type from t where type is not null limit ${DISTINCT_TYPES_LIMIT + 1}`,
);

/**
 * The types under `type`'s prefix among `distinct` (DISTINCT_TYPES_SQL's rows), or
 * undefined when there are too many distinct types to list (or `type` is no prefix).
 */
export function typesUnderPrefix(
  type: string | undefined,
  distinct: readonly string[],
): readonly string[] | undefined {
  const filter = typeFilterOf(type);
  if (filter === undefined || !("prefix" in filter)) return undefined;
  if (distinct.length > DISTINCT_TYPES_LIMIT) return undefined;
  return distinct.filter((candidate) => candidate.startsWith(filter.prefix));
}

/**
 * The condition on a type column: exact, the prefix's `listed` types, or (when they
 * could not be listed) the prefix itself. `substr` counts characters in both dialects,
 * and unlike SQLite's LIKE it is case-sensitive, as endpoint filters are.
 */
export function typeCondition(
  column: AnyColumn,
  filter: TypeFilter,
  listed: readonly string[] | undefined,
): SQL {
  if ("exact" in filter) return eq(column, filter.exact);
  if (listed !== undefined) return inArray(column, [...listed]);
  return sql`substr(${column}, 1, ${[...filter.prefix].length}) = ${filter.prefix}`;
}

/**
 * The WHERE of a page of events: each of the filter's fields, then the page's cursor.
 * The text match is the dialect's own (ILIKE on PostgreSQL's jsonb as text, LIKE on
 * SQLite's JSON text). `listedTypes` are the types under a prefix filter (typesUnderPrefix).
 */
export function eventListWhere(
  events: EventListColumns,
  filter: EventFilter,
  after: TimeCursor | undefined,
  textMatch: (text: string) => SQL | undefined,
  listedTypes?: readonly string[],
): SQL | undefined {
  const type = typeFilterOf(filter.type);
  return and(
    filter.source ? eq(events.source, filter.source) : undefined,
    type ? typeCondition(events.type, type, listedTypes) : undefined,
    filter.entityId ? eq(events.entityId, filter.entityId) : undefined,
    filter.since ? gte(events.receivedAt, filter.since) : undefined,
    filter.until ? lte(events.receivedAt, filter.until) : undefined,
    filter.text ? textMatch(filter.text) : undefined,
    after ? olderThan(events.receivedAt, events.id, after) : undefined,
  );
}

/** True when `type` names a prefix, so the store lists the types under it first. */
export function isTypePrefix(type: string | undefined): boolean {
  const filter = typeFilterOf(type);
  return filter !== undefined && "prefix" in filter;
}
