import { and, asc, desc, eq, gte, ilike, lt, lte, or, type SQL, sql } from "drizzle-orm";
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
import type { PgDb, PgExecutor } from "./db.ts";
import { changes, deliveries, endpoints, events } from "./schema.ts";

type EventRow = typeof events.$inferSelect;

const toStoredEvent = ({ dedupeKey: _, ...row }: EventRow): StoredEvent => row;

export class PgEventStore implements EventStore {
  constructor(private readonly db: PgDb) {}

  async record(event: NewEvent, options: { change?: unknown } = {}): Promise<RecordResult> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
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
        // The unique index decides, not a read-then-write: concurrent copies of one
        // delivery wait here for the first to commit and then insert nothing.
        .onConflictDoNothing({ target: [events.source, events.dedupeKey] })
        .returning();
      if (!row) return { status: "duplicate", eventId: await this.idOfDuplicate(tx, event) };

      let changeId: number | null = null;
      if (options.change !== undefined) {
        const [change] = await tx
          .insert(changes)
          .values({ data: options.change })
          .returning({ id: changes.id });
        changeId = change?.id ?? null;
      }
      const queued = await fanOut(tx, row);
      return { status: "stored", event: toStoredEvent(row), changeId, deliveries: queued };
    });
  }

  private async idOfDuplicate(tx: PgExecutor, event: NewEvent): Promise<string | null> {
    if (event.dedupeKey == null) return null;
    const [existing] = await tx
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.source, event.source), eq(events.dedupeKey, event.dedupeKey)))
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
      page.after
        ? or(
            lt(events.receivedAt, new Date(page.after.at)),
            and(eq(events.receivedAt, new Date(page.after.at)), lt(events.id, page.after.id)),
          )
        : undefined,
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

/** Queues one delivery per enabled endpoint whose filters match, and wakes the workers. */
async function fanOut(tx: PgExecutor, event: EventRow): Promise<number> {
  const candidates = await tx
    .select({ id: endpoints.id, eventTypes: endpoints.eventTypes })
    .from(endpoints)
    .where(eq(endpoints.enabled, true));
  const matching = candidates.filter((endpoint) =>
    matchesEventType(endpoint.eventTypes, event.type),
  );
  if (matching.length === 0) return 0;
  const now = event.receivedAt;
  await tx.insert(deliveries).values(
    matching.map((endpoint) => ({
      id: newId(),
      eventId: event.id,
      endpointId: endpoint.id,
      status: "pending",
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    })),
  );
  // NOTIFY inside the transaction is sent on commit, never for work that rolled back.
  await tx.execute(sql`select pg_notify('hookyard_deliveries', '')`);
  return matching.length;
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
