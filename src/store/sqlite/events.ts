import type { Database } from "bun:sqlite";
import { and, asc, desc, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import { newId } from "../../lib/ids.ts";
import { groupCommitEachAloneIfRefused } from "../batch-write.ts";
import { pageById, pageByTime, type TimeCursor } from "../cursor.ts";
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
import { storedEvent } from "../events.ts";
import type { FilteredEndpoints } from "../filtered-endpoints.ts";
import { threadScript, WriterThread } from "../writer-thread.ts";
import type { SqliteDb } from "./db.ts";
import {
  type EventInsert,
  eventInsert,
  type InsertOutcome,
  insertEvent,
  LARGE_EVENT_BYTES,
  prepareRecordStatements,
} from "./record-event.ts";
import { changes, events } from "./schema.ts";
import type { SearchThread } from "./search-thread.ts";

type EventRow = typeof events.$inferSelect;

type LargeEventThread = WriterThread<EventInsert, InsertOutcome>;

const LARGE_EVENT_SCRIPT = threadScript(
  import.meta.path,
  import.meta.url,
  "./large-event-worker.ts",
  "./store/sqlite/large-event-worker.ts",
);

const toStoredEvent = ({
  dedupeKey: _,
  bodyText: _text,
  bodyInPayload: _inPayload,
  ...row
}: EventRow): StoredEvent => row;

/**
 * `record` is the ingest hot path: its statements are prepared once and run in Bun's own
 * transaction, not rebuilt by drizzle's query builder per call (four times slower), and
 * the stored event is built from what was inserted rather than read back.
 */
export class SqliteEventStore implements EventStore {
  /** Prepared on first use: the tables exist only after migrating. */
  private hotPath: ((pending: PendingRecord) => Promise<RecordResult>) | undefined;
  /** Where large events are written; on this thread when absent (an in-memory database). */
  private readonly large: LargeEventThread | undefined;

  constructor(
    private readonly db: SqliteDb,
    private readonly sqlite: Database,
    private readonly onDeliveriesQueued: () => void,
    private readonly filtered: FilteredEndpoints,
    /** Where text searches run; on this thread when absent (an in-memory database). */
    private readonly search?: SearchThread,
  ) {
    const file = sqlite.filename;
    this.large =
      file === "" || file === ":memory:" ? undefined : new WriterThread(LARGE_EVENT_SCRIPT, [file]);
  }

  /**
   * Concurrent requests' events are committed together (../../lib/group-commit.ts): a
   * commit writes the pages of the events table and its five indexes to the WAL, and
   * events that arrive together share those pages. An event that fails takes no other
   * with it (../batch-write.ts); each caller's promise settles only after the commit, so a
   * 2xx still means stored.
   */
  async record(event: NewEvent, options: { change?: unknown } = {}): Promise<RecordResult> {
    this.hotPath ??= prepareRecord(this.sqlite, this.large, this.filtered);
    const result = await this.hotPath({ event, change: options.change });
    if (result.status === "stored" && result.deliveries > 0) this.onDeliveriesQueued();
    return result;
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const row = this.db.select().from(events).where(eq(events.id, id)).get();
    return row && toStoredEvent(row);
  }

  /**
   * A text search goes to its own thread (./search-thread.ts) when there is one: it reads
   * every payload it passes, seconds over a million events, and on this thread it would
   * stall every request for that long.
   */
  async list(filter: EventFilter, page: EventPageRequest): Promise<Page<StoredEvent, TimeCursor>> {
    if (filter.text && this.search) return this.search.list(filter, page);
    return listEvents(this.db, filter, page);
  }

  async listAfter(afterId: string, filter: EventFilter, limit: number): Promise<StoredEvent[]> {
    const types = isTypePrefix(filter.type)
      ? typesUnderPrefix(filter.type, distinctTypes(this.db))
      : undefined;
    const where = eventListWhere(
      events,
      { ...filter, text: undefined },
      undefined,
      textMatch,
      types,
    );
    return this.db
      .select()
      .from(events)
      .where(and(gt(events.id, afterId), where))
      .orderBy(asc(events.id))
      .limit(limit)
      .all()
      .map(toStoredEvent);
  }

  async forEntity(entityId: string, limit: number): Promise<readonly StoredEvent[]> {
    return this.db
      .select()
      .from(events)
      .where(eq(events.entityId, entityId))
      .orderBy(asc(events.occurredAt), asc(events.receivedAt), asc(events.id))
      .limit(limit)
      .all()
      .map(toStoredEvent);
  }
}

/** One page of events, newest first: synchronous, for this thread and the search thread. */
export function listEvents(
  db: SqliteDb,
  filter: EventFilter,
  page: EventPageRequest,
): Page<StoredEvent, TimeCursor> {
  const types = isTypePrefix(filter.type)
    ? typesUnderPrefix(filter.type, distinctTypes(db))
    : undefined;
  const where = eventListWhere(events, filter, page.after, textMatch, types);
  const rows = db
    .select()
    .from(events)
    .where(where)
    .orderBy(desc(events.receivedAt), desc(events.id))
    .limit(page.limit + 1)
    .all();
  return pageByTime(rows.map(toStoredEvent), page.limit, (event) => event.receivedAt);
}

/** DISTINCT_TYPES_SQL's types. */
export function distinctTypes(db: SqliteDb): string[] {
  return db.all<{ type: string }>(DISTINCT_TYPES_SQL).map((row) => row.type);
}

/** SQLite's LIKE is case-insensitive for ASCII; `%` and `_` in the user's text are literal. */
function textMatch(text: string): SQL | undefined {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(
    sql`${events.type} like ${pattern} escape '\\'`,
    sql`${events.entityId} like ${pattern} escape '\\'`,
    sql`${events.payload} like ${pattern} escape '\\'`,
  );
}

interface PendingRecord {
  readonly event: NewEvent;
  readonly change: unknown;
}

/**
 * The batch in one transaction, without a savepoint per event: inside a savepoint SQLite
 * first writes the old copy of each page it changes to a sub-journal (a temporary file
 * once past 64 KiB, a few events into a batch), and those writes cost more than the
 * inserts (CPU per stored push in batches of 32: ~110 µs with savepoints, ~42 µs
 * without). A batch that fails is rolled back, and its events are written again one by
 * one (../batch-write.ts). A large event is written alone on a thread of its own
 * (../writer-thread.ts), and batches take turns with it: on this thread, a batch waiting
 * for SQLite's write lock would wait synchronously, holding up every request. Other
 * writers here (deliveries, relay, retention) do not take turns: one that meets a large
 * event's transaction waits for it in busy_timeout, as it would for `hookyard prune`.
 */
function prepareRecord(
  sqlite: Database,
  large: LargeEventThread | undefined,
  filtered: FilteredEndpoints,
): (pending: PendingRecord) => Promise<RecordResult> {
  const statements = prepareRecordStatements(sqlite);
  const recordAll = sqlite.transaction((rows: readonly EventInsert[]) =>
    rows.map((row) => insertEvent(statements, row)),
  );
  const writeHere = async (rows: readonly EventInsert[]) =>
    large ? large.exclusive(() => recordAll(rows)) : recordAll(rows);
  const recordHere = groupCommitEachAloneIfRefused(writeHere);
  return async ({ event, change }) => {
    const matching = filtered.matching(event);
    const routed = matching instanceof Promise ? await matching : matching;
    const row = eventInsert(newId(), event, change, routed);
    const outcome =
      large && row.payload.length >= LARGE_EVENT_BYTES
        ? await large.write(row)
        : await recordHere(row);
    return outcome.status === "duplicate"
      ? outcome
      : { ...outcome, event: storedEvent(row.id, event) };
  };
}

export class SqliteChangeStore implements ChangeStore {
  constructor(private readonly db: SqliteDb) {}

  async list(page: { limit: number; before?: number | undefined }): Promise<Page<Change, number>> {
    const rows = this.db
      .select()
      .from(changes)
      .where(page.before ? lt(changes.id, page.before) : undefined)
      .orderBy(desc(changes.id))
      .limit(page.limit + 1)
      .all();
    return pageById(rows, page.limit);
  }
}
