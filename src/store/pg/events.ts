import { and, asc, desc, eq, gt, ilike, lt, or, type SQL, sql } from "drizzle-orm";
import type postgres from "postgres";
import { newId } from "../../lib/ids.ts";
import { groupCommitEachAloneIfRefused } from "../batch-write.ts";
import { bounded, SEARCH_LIMIT_MS } from "../bounded.ts";
import { pageById, pageByTime, type TimeCursor } from "../cursor.ts";
import { isQueryCanceled, SearchTooSlow } from "../errors.ts";
import {
  DISTINCT_TYPES_SQL,
  eventListWhere,
  isTypePrefix,
  typesUnderPrefix,
} from "../event-filter.ts";
import type {
  Change,
  ChangeStore,
  EventFilter,
  EventPageRequest,
  EventStore,
  NewEvent,
  Page,
  RecordResult,
  StoredEvent,
} from "../events.ts";
import { keptBody, storedEvent } from "../events.ts";
import type { FilteredEndpoints } from "../filtered-endpoints.ts";
import { threadScript, WriterThread } from "../writer-thread.ts";
import type { PgDb, PgExecutor } from "./db.ts";
import { changes, events } from "./schema.ts";
import { subscribedSql } from "./subscribed.ts";

type EventRow = typeof events.$inferSelect;

const toStoredEvent = ({ dedupeKey: _, ...row }: EventRow): StoredEvent => row;

/**
 * At most this many batches written at once, each on a connection of its own (PgStore.open).
 * A second starts only when a full batch (MAX_EVENTS_PER_STATEMENT) waits behind the first
 * (../../lib/group-commit.ts), so under ordinary load one statement at a time carries
 * every event that arrived during the last: fewer, fuller batches cost PostgreSQL the
 * least per event. The others are for bursts one writer cannot keep up with.
 */
export const INGEST_WRITERS = 4;

/**
 * A batch not stored by then fails like an unreachable database (../bounded.ts), and its
 * senders get a 503 to retry. A statement takes milliseconds; one that never answers (a
 * query postgres.js left unsettled when the database went away mid-query) held up the
 * writer, and with it every event queued behind: in one outage test no ingestion request
 * was answered for 14 s. Below the 10 s after which a sender like GitHub gives up.
 */
const INGEST_WRITE_LIMIT_MS = 5_000;

/**
 * From this length of payload JSON on, an event is written alone, on a thread of its own
 * (../writer-thread.ts): postgres.js built the message for a 24 MB payload on the thread
 * that serves requests, stalling it 125-160 ms, and batched together, several such events
 * took PostgreSQL past INGEST_WRITE_LIMIT_MS (1.5-1.8 s each to read the jsonb).
 */
export const LARGE_EVENT_BYTES = 256 * 1024;

/**
 * Threads for large events: two, so that PostgreSQL reads two payloads at once, each
 * thread on a connection of its own.
 */
const LARGE_EVENT_THREADS = 1;

const LARGE_EVENT_SCRIPT = threadScript(
  import.meta.path,
  import.meta.url,
  "./large-event-worker.ts",
  "./store/pg/large-event-worker.ts",
);

type LargeEventThread = WriterThread<PendingEvent, Inserted | undefined>;

export class PgEventStore implements EventStore {
  /**
   * @param client writes the batches: ingestion's own connections, set up for that work
   *   (PgStore.open says how and why).
   */
  private readonly large: readonly LargeEventThread[];
  private nextLarge = 0;

  constructor(
    private readonly db: PgDb,
    private readonly client: postgres.Sql,
    private readonly filtered: FilteredEndpoints,
    private readonly searchLimitMs = SEARCH_LIMIT_MS,
  ) {
    const settings = connectionSettings(client);
    this.large =
      settings === undefined
        ? []
        : Array.from(
            { length: LARGE_EVENT_THREADS },
            () => new WriterThread(LARGE_EVENT_SCRIPT, [settings]),
          );
  }

  /**
   * Concurrent requests' events are written together (../batch-write.ts): one statement
   * and one commit for the batch instead of one each, and an event the database refuses
   * fails alone. Each caller is answered after its commit.
   */
  private readonly recordInBatches = groupCommitEachAloneIfRefused(
    (batch: readonly PendingEvent[]) => this.write(batch),
    { writers: INGEST_WRITERS, maxBatch: MAX_EVENTS_PER_STATEMENT },
  );

  async record(event: NewEvent, options: { change?: unknown } = {}): Promise<RecordResult> {
    // Serialized here, so an event that cannot be fails its own caller only.
    const matching = this.filtered.matching(event);
    const routed = matching instanceof Promise ? await matching : matching;
    const pending = pendingEvent(event, options.change, routed);
    const thread = this.large[this.nextLarge++ % this.large.length];
    if (!thread || pending.payload.length < LARGE_EVENT_BYTES) {
      return this.recordInBatches(pending);
    }
    // The thread is handed what it writes, not the parsed payload: that would be copied.
    const inserted = await thread.write(
      { ...pending, event: { ...event, payload: null, payloadText: undefined } },
      (write) => bounded(write, INGEST_WRITE_LIMIT_MS, "storing an event"),
    );
    return inserted ? storedResult(pending, inserted) : this.duplicateResult(pending);
  }

  private async write(batch: readonly PendingEvent[]): Promise<RecordResult[]> {
    const written = await bounded(
      insertEvents(this.client, batch),
      INGEST_WRITE_LIMIT_MS,
      "storing events",
    );
    return Promise.all(
      batch.map(async (pending, i) => {
        const inserted = written[i];
        return inserted ? storedResult(pending, inserted) : this.duplicateResult(pending);
      }),
    );
  }

  private async duplicateResult({ event, dedupeKey }: PendingEvent): Promise<RecordResult> {
    return { status: "duplicate", eventId: await this.idOfDuplicate(event.source, dedupeKey) };
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

  async list(filter: EventFilter, page: EventPageRequest): Promise<Page<StoredEvent, TimeCursor>> {
    const types = isTypePrefix(filter.type)
      ? typesUnderPrefix(filter.type, await distinctTypes(this.db))
      : undefined;
    const where = eventListWhere(events, filter, page.after, textMatch, types);
    const select = (db: PgExecutor) =>
      db
        .select()
        .from(events)
        .where(where)
        .orderBy(desc(events.receivedAt), desc(events.id))
        .limit(page.limit + 1);
    const rows = filter.text ? await this.withSearchLimit(select) : await select(this.db);
    return pageByTime(rows.map(toStoredEvent), page.limit, (event) => event.receivedAt);
  }

  async listAfter(afterId: string, filter: EventFilter, limit: number): Promise<StoredEvent[]> {
    const types = isTypePrefix(filter.type)
      ? typesUnderPrefix(filter.type, await distinctTypes(this.db))
      : undefined;
    const where = eventListWhere(
      events,
      { ...filter, text: undefined },
      undefined,
      textMatch,
      types,
    );
    const rows = await this.db
      .select()
      .from(events)
      .where(and(gt(events.id, afterId), where))
      .orderBy(asc(events.id))
      .limit(limit);
    return rows.map(toStoredEvent);
  }

  /** `query` in a transaction of its own whose statements PostgreSQL stops at the limit. */
  private async withSearchLimit<T>(query: (tx: PgExecutor) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        // `set local` ends with the transaction, so the pooled connection goes back as it was.
        await tx.execute(
          sql`select set_config('statement_timeout', ${String(this.searchLimitMs)}, true)`,
        );
        return query(tx);
      });
    } catch (error) {
      if (isQueryCanceled(error)) throw new SearchTooSlow(this.searchLimitMs);
      throw error;
    }
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

/** DISTINCT_TYPES_SQL's types. */
export async function distinctTypes(db: PgExecutor): Promise<string[]> {
  const rows = await db.execute<{ type: string }>(DISTINCT_TYPES_SQL);
  return rows.map((row) => row.type);
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

/** An event ready to write: its id chosen and its JSON serialized. */
export interface PendingEvent {
  readonly id: string;
  readonly event: NewEvent;
  readonly dedupeKey: string | null;
  /** JSON text, or its UTF-8 bytes (a large body's, decoded where it is written). */
  readonly payload: string | Uint8Array;
  readonly headers: string;
  readonly change: string | null;
  /** The endpoints with a payload filter that take it (../filtered-endpoints.ts), as JSON. */
  readonly routed: string;
}

function pendingEvent(event: NewEvent, change: unknown, routed: readonly string[]): PendingEvent {
  return {
    id: newId(),
    event,
    dedupeKey: event.dedupeKey ?? null,
    payload: event.payloadText ?? JSON.stringify(event.payload),
    headers: JSON.stringify(event.headers),
    // No change asked for, or none given: no `changes` row.
    change: change === undefined || change === null ? null : JSON.stringify(change),
    routed: JSON.stringify(routed),
  };
}

export interface Inserted {
  readonly changeId: number | null;
  readonly deliveries: number;
}

function storedResult({ id, event }: PendingEvent, inserted: Inserted): RecordResult {
  return {
    status: "stored",
    event: storedEvent(id, event),
    changeId: inserted.changeId,
    deliveries: inserted.deliveries,
  };
}

/**
 * Events in one statement, so one round trip and no explicit transaction: each event, its
 * `changes` row and its deliveries commit together or not at all. The unique index decides
 * duplicates (concurrent copies of one delivery wait for the first to commit, then insert
 * nothing). Endpoint filters are matched in SQL with the same rules as `matchesEventType`
 * (the store contract tests hold both to them).
 *
 * What it answers is in the batch's order: what was inserted, or undefined for a
 * duplicate. `changes` ids are taken in the batch's order within the statement, so sorted
 * they pair with the inserted events that asked for a change, in order.
 */
export async function insertEvents(
  client: postgres.Sql,
  batch: readonly PendingEvent[],
): Promise<(Inserted | undefined)[]> {
  // In EVENT_COLUMNS' order, which the statement's placeholders follow.
  const parameters = batch.flatMap(({ id, event, dedupeKey, payload, headers, change, routed }) => {
    const text = typeof payload === "string" ? payload : utf8.decode(payload);
    const body = keptBody(event);
    return [
      id,
      event.source,
      event.type,
      event.entityType ?? null,
      event.entityId ?? null,
      event.action ?? null,
      // As text: the statement casts every value, whatever serializers the client has.
      event.occurredAt.toISOString(),
      event.receivedAt.toISOString(),
      dedupeKey,
      // A body that is the payload's text goes once, as the body, and the payload is read
      // from it (the insert's coalesce): not the same text twice down the connection.
      body.inPayload ? null : text,
      headers,
      change,
      body.inPayload ? text : body.text,
      routed,
    ];
  });
  const rows = await client.unsafe<
    { kind: "event" | "change" | "woken"; id: string | null; n: number }[]
  >(insertEventsStatement(batch.length), parameters, { prepare: true });

  const deliveriesOf = new Map<string, number>();
  const changeIds: number[] = [];
  for (const row of rows) {
    if (row.kind === "event" && row.id !== null) deliveriesOf.set(row.id, row.n);
    if (row.kind === "change" && row.id !== null) changeIds.push(Number(row.id));
  }
  changeIds.sort((a, b) => a - b);
  let nextChange = 0;
  return batch.map(({ id, change }) => {
    const deliveries = deliveriesOf.get(id);
    if (deliveries === undefined) return undefined;
    const changeId =
      change === null || change === "null" ? null : (changeIds[nextChange++] ?? null);
    return { changeId, deliveries };
  });
}

/** Checked already when it came in. */
const utf8 = new TextDecoder();

/**
 * What a large-event thread needs to open a connection like `client`'s, as JSON; undefined
 * when they cannot be passed to a thread (a password given as a function).
 */
function connectionSettings(client: postgres.Sql): string | undefined {
  const { host, port, database, user, pass, ssl, connection } = client.options;
  if (typeof pass === "function") return undefined;
  try {
    return JSON.stringify({ host, port, database, user, pass, ssl, connection });
  } catch {
    return undefined;
  }
}

/**
 * Each event's parameters, in order, and the SQL type each is cast to. JSON goes as text
 * cast to jsonb, so that the client never encodes it a second time, whatever serializers
 * it was set up with.
 */
const EVENT_COLUMNS = [
  ["id", "text"],
  ["source", "text"],
  ["type", "text"],
  ["entity_type", "text"],
  ["entity_id", "text"],
  ["action", "text"],
  ["occurred_at", "timestamptz"],
  ["received_at", "timestamptz"],
  ["dedupe_key", "text"],
  ["payload", "text::jsonb"],
  ["headers", "text::jsonb"],
  ["change", "text::jsonb"],
  ["body", "text"],
  ["routed", "text::jsonb"],
] as const;

/**
 * At most this many events to a statement (../../lib/group-commit.ts): there is one
 * statement text per batch size, prepared on each connection, so the sizes are kept few.
 */
const MAX_EVENTS_PER_STATEMENT = 64;

const insertStatements = new Map<number, string>();

/**
 * The statement for `count` events, each value its own parameter. Measured against the
 * batch as one JSON document unpacked by jsonb_to_recordset, PostgreSQL spends a quarter
 * less per event: each payload is parsed once, not once in the document and again when
 * taken out of it.
 */
function insertEventsStatement(count: number): string {
  const cached = insertStatements.get(count);
  if (cached) return cached;
  const width = EVENT_COLUMNS.length;
  const values = Array.from({ length: count }, (_, row) => {
    const cells = EVENT_COLUMNS.map(([, type], k) => `$${row * width + k + 1}::${type}`);
    return `(${row}, ${cells.join(", ")})`;
  });
  const names = EVENT_COLUMNS.map(([name]) => name);
  const statement = `
    with input (ord, ${names.join(", ")}) as (
      values ${values.join(",\n        ")}
    ), new_events as (
      insert into events (id, source, type, entity_type, entity_id, action, occurred_at, received_at, payload, headers, dedupe_key, body)
      select id, source, type, entity_type, entity_id, action, occurred_at, received_at,
             coalesce(payload, body::jsonb), headers, dedupe_key, body
      from input order by ord
      on conflict (source, dedupe_key) do nothing
      returning id, type, received_at
    ), new_changes as (
      insert into changes (data)
      select i.change from input i join new_events e on e.id = i.id
      where i.change is not null
      order by i.ord
      returning id
    ), new_deliveries as (
      insert into deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
      select gen_random_uuid()::text, new_event.id, endpoint.id, 'pending', 0,
             new_event.received_at, new_event.received_at, new_event.received_at
      from new_events new_event
      join input on input.id = new_event.id
      join endpoints endpoint on endpoint.enabled
      -- A filtered endpoint's types and filter were matched before the write, in the
      -- serving process (../filtered-endpoints.ts); the others' types are matched here.
      where case when endpoint.filter is null then ${subscribedSql("endpoint", "new_event.type")}
                 else jsonb_exists(input.routed, endpoint.id) end
      returning event_id
    ), woken as (
      -- sent on commit, and only when there is work
      select pg_notify('hookyard_deliveries', '') from (select 1 from new_deliveries limit 1) as queued
    )
    select 'event' as kind, e.id, (select count(*) from new_deliveries d where d.event_id = e.id)::int as n
    from new_events e
    union all select 'change', c.id::text, 0 from new_changes c
    union all select 'woken', null, count(*)::int from woken`;
  insertStatements.set(count, statement);
  return statement;
}
