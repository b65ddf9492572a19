import { and, asc, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { matchesEventType } from "../../delivery/event-types.ts";
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
import type { SqliteDb, SqliteExecutor } from "./db.ts";
import { changes, deliveries, endpoints, events } from "./schema.ts";

type EventRow = typeof events.$inferSelect;

const toStoredEvent = ({ dedupeKey: _, ...row }: EventRow): StoredEvent => row;

export class SqliteEventStore implements EventStore {
  constructor(
    private readonly db: SqliteDb,
    private readonly onDeliveriesQueued: () => void,
  ) {}

  async record(event: NewEvent, options: { change?: unknown } = {}): Promise<RecordResult> {
    const result = this.db.transaction((tx): RecordResult => {
      const row = tx
        .insert(events)
        .values({
          id: newId(),
          source: event.source,
          type: event.type,
          entityType: event.entityType ?? null,
          entityId: event.entityId ?? null,
          action: event.action ?? null,
          occurredAt: event.occurredAt,
          receivedAt: event.receivedAt,
          payload: event.payload,
          headers: event.headers,
          dedupeKey: event.dedupeKey ?? null,
        })
        .onConflictDoNothing({ target: [events.source, events.dedupeKey] })
        .returning()
        .get();
      if (!row) return { status: "duplicate", eventId: idOfDuplicate(tx, event) };

      const changeId =
        options.change === undefined
          ? null
          : (tx.insert(changes).values({ data: options.change }).returning({ id: changes.id }).get()
              ?.id ?? null);
      const queued = fanOut(tx, row);
      return { status: "stored", event: toStoredEvent(row), changeId, deliveries: queued };
    });
    if (result.status === "stored" && result.deliveries > 0) this.onDeliveriesQueued();
    return result;
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const row = this.db.select().from(events).where(eq(events.id, id)).get();
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
      page.after
        ? or(
            lt(events.receivedAt, new Date(page.after.at)),
            and(eq(events.receivedAt, new Date(page.after.at)), lt(events.id, page.after.id)),
          )
        : undefined,
    ];
    const rows = this.db
      .select()
      .from(events)
      .where(and(...conditions))
      .orderBy(desc(events.receivedAt), desc(events.id))
      .limit(page.limit + 1)
      .all();
    return pageByTime(rows.map(toStoredEvent), page.limit, (event) => event.receivedAt);
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

function idOfDuplicate(tx: SqliteExecutor, event: NewEvent): string | null {
  if (event.dedupeKey == null) return null;
  const existing = tx
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.source, event.source), eq(events.dedupeKey, event.dedupeKey)))
    .get();
  return existing?.id ?? null;
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

function fanOut(tx: SqliteExecutor, event: EventRow): number {
  const matching = tx
    .select({ id: endpoints.id, eventTypes: endpoints.eventTypes })
    .from(endpoints)
    .where(eq(endpoints.enabled, true))
    .all()
    .filter((endpoint) => matchesEventType(endpoint.eventTypes, event.type));
  if (matching.length === 0) return 0;
  const now = event.receivedAt;
  tx.insert(deliveries)
    .values(
      matching.map((endpoint) => ({
        id: newId(),
        eventId: event.id,
        endpointId: endpoint.id,
        status: "pending",
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .run();
  return matching.length;
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
