import { and, asc, desc, eq, gte, ilike, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type postgres from "postgres";
import { newId } from "../../lib/ids.ts";
import { pageById, pageByTime, type TimeCursor } from "../cursor.ts";
import type {
  Change,
  ChangeStore,
  EventFilter,
  EventStore,
  NewEvent,
  Page,
  RecordResult,
  StoredEvent,
} from "../events.ts";
import { olderThan } from "../keyset.ts";
import type { PgDb } from "./db.ts";
import { changes, events } from "./schema.ts";

type EventRow = typeof events.$inferSelect;

const toStoredEvent = ({ dedupeKey: _, ...row }: EventRow): StoredEvent => row;

export class PgEventStore implements EventStore {
  constructor(
    private readonly db: PgDb,
    private readonly client: postgres.Sql,
  ) {}

  /**
   * The ingest hot path as one statement, so one round trip and no explicit transaction:
   * the event, its `changes` row and its deliveries commit together or not at all. The
   * unique index decides duplicates (concurrent copies of one delivery wait for the first
   * to commit, then insert nothing). Endpoint filters are matched here in SQL with the
   * same rules as `matchesEventType` (the store contract tests hold both to them).
   */
  async record(event: NewEvent, options: { change?: unknown } = {}): Promise<RecordResult> {
    const id = newId();
    const dedupeKey = event.dedupeKey ?? null;
    const change = options.change === undefined ? null : JSON.stringify(options.change);
    const [row] = await this.client<
      { event_id: string | null; change_id: string | null; deliveries: number }[]
    >`
      with new_event as (
        insert into events (id, source, type, entity_type, entity_id, action, occurred_at, received_at, payload, headers, dedupe_key)
        values (${id}, ${event.source}, ${event.type}, ${event.entityType ?? null}, ${event.entityId ?? null},
                ${event.action ?? null}, ${event.occurredAt.toISOString()}::timestamptz, ${event.receivedAt.toISOString()}::timestamptz,
                ${JSON.stringify(event.payload)}::jsonb, ${JSON.stringify(event.headers)}::jsonb, ${dedupeKey})
        on conflict (source, dedupe_key) do nothing
        returning id, type, received_at
      ), new_change as (
        insert into changes (data)
        select ${change}::jsonb from new_event where ${change}::jsonb is not null
        returning id
      ), new_deliveries as (
        insert into deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
        select gen_random_uuid()::text, new_event.id, endpoint.id, 'pending', 0,
               new_event.received_at, new_event.received_at, new_event.received_at
        from new_event join endpoints endpoint on endpoint.enabled
        where jsonb_array_length(endpoint.event_types) = 0 or exists (
          select 1 from jsonb_array_elements_text(endpoint.event_types) as filter(pattern)
          where pattern = '*' or pattern = new_event.type
             or (right(pattern, 2) = '.*' and starts_with(new_event.type, left(pattern, -1))))
        returning 1
      ), woken as (
        -- sent on commit, and only when there is work
        select pg_notify('hookyard_deliveries', '') from (select 1 from new_deliveries limit 1) as queued
      )
      select (select id from new_event) as event_id,
             (select id from new_change) as change_id,
             (select count(*) from new_deliveries)::int as deliveries,
             (select count(*) from woken)::int as woken`;
    if (!row?.event_id) {
      return { status: "duplicate", eventId: await this.idOfDuplicate(event.source, dedupeKey) };
    }
    return {
      status: "stored",
      event: {
        id,
        source: event.source,
        type: event.type,
        entityType: event.entityType ?? null,
        entityId: event.entityId ?? null,
        action: event.action ?? null,
        occurredAt: event.occurredAt,
        receivedAt: event.receivedAt,
        payload: event.payload,
        headers: event.headers,
      },
      changeId: row.change_id === null ? null : Number(row.change_id),
      deliveries: row.deliveries,
    };
  }

  private async idOfDuplicate(source: string, dedupeKey: string | null): Promise<string | null> {
    if (dedupeKey === null) return null;
    const [existing] = await this.db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.source, source), eq(events.dedupeKey, dedupeKey)))
      .limit(1);
    return existing?.id ?? null;
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const [row] = await this.db.select().from(events).where(eq(events.id, id)).limit(1);
    return row && toStoredEvent(row);
  }

  async list(
    filter: EventFilter,
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<StoredEvent, TimeCursor>> {
    const conditions: (SQL | undefined)[] = [
      filter.source ? eq(events.source, filter.source) : undefined,
      filter.type ? eq(events.type, filter.type) : undefined,
      filter.entityId ? eq(events.entityId, filter.entityId) : undefined,
      filter.since ? gte(events.receivedAt, filter.since) : undefined,
      filter.until ? lte(events.receivedAt, filter.until) : undefined,
      filter.text ? textMatch(filter.text) : undefined,
      page.after ? olderThan(events.receivedAt, events.id, page.after) : undefined,
    ];
    const rows = await this.db
      .select()
      .from(events)
      .where(and(...conditions))
      .orderBy(desc(events.receivedAt), desc(events.id))
      .limit(page.limit + 1);
    return pageByTime(rows.map(toStoredEvent), page.limit, (event) => event.receivedAt);
  }

  async forEntity(entityId: string, limit: number): Promise<readonly StoredEvent[]> {
    const rows = await this.db
      .select()
      .from(events)
      .where(eq(events.entityId, entityId))
      .orderBy(asc(events.occurredAt), asc(events.receivedAt), asc(events.id))
      .limit(limit);
    return rows.map(toStoredEvent);
  }
}

/** `%` and `_` in the user's text are literal, not wildcards. */
function textMatch(text: string): SQL | undefined {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(
    ilike(events.type, pattern),
    ilike(events.entityId, pattern),
    sql`${events.payload}::text ilike ${pattern}`,
  );
}

export class PgChangeStore implements ChangeStore {
  constructor(private readonly db: PgDb) {}

  async list(page: { limit: number; before?: number | undefined }): Promise<Page<Change, number>> {
    const rows = await this.db
      .select()
      .from(changes)
      .where(page.before ? lt(changes.id, page.before) : undefined)
      .orderBy(desc(changes.id))
      .limit(page.limit + 1);
    return pageById(rows, page.limit);
  }
}
