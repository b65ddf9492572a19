import type { Database } from "bun:sqlite";
import { and, asc, count, eq, inArray, notExists, type SQL, sql } from "drizzle-orm";
import { newId } from "../../lib/ids.ts";
import { CLAIMED_COLUMNS, type ClaimedRow, claimedFromRow } from "../claimed-row.ts";
import type { TimeCursor } from "../cursor.ts";
import type { ClaimedDelivery } from "../deliveries.ts";
import type { NewEvent } from "../events.ts";
import type {
  BatchRequest,
  BatchResult,
  FailedFilter,
  RecoveryStore,
  TakesContent,
  TimeWindow,
} from "../recovery.ts";
import {
  COUNT_PAGE,
  countPages,
  eventTypeCondition,
  failedWhere,
  inWindow,
  newerThan,
  nextAfter,
  pendingDelivery,
  replayable,
  windowFilter,
} from "../recovery-sql.ts";
import type { SqliteDb, SqliteExecutor } from "./db.ts";
import { deliveries, endpoints, events } from "./schema.ts";

/**
 * Each batch is one synchronous transaction (nothing else in this process runs meanwhile),
 * IMMEDIATE where it reads before it writes, so that another process on the same file
 * (`hookyard prune`) cannot write in between.
 */
export class SqliteRecoveryStore implements RecoveryStore {
  constructor(
    private readonly db: SqliteDb,
    private readonly sqlite: Database,
  ) {}

  async countFailed(endpointId: string, window: TimeWindow): Promise<number> {
    const row = this.db
      .select({ n: count() })
      .from(deliveries)
      .where(failedWhere(deliveries, events, { endpointId, ...window }))
      .get();
    return row?.n ?? 0;
  }

  async requeueFailed(
    endpointId: string,
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    eventType?: string,
  ): Promise<BatchResult> {
    return this.db.transaction(
      (tx) => {
        const rows = tx
          .select({ id: deliveries.id, at: deliveries.createdAt })
          .from(deliveries)
          .where(
            failedWhere(
              deliveries,
              events,
              windowFilter(endpointId, window, eventType),
              batch.after,
            ),
          )
          .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
          .limit(batch.limit)
          .all();
        if (rows.length === 0) return { queued: 0, next: null };
        tx.update(deliveries)
          .set({ status: "pending", attemptCount: 0, nextAttemptAt: now, updatedAt: now })
          .where(
            inArray(
              deliveries.id,
              rows.map((row) => row.id),
            ),
          )
          .run();
        return { queued: rows.length, next: nextAfter(rows, batch.limit) };
      },
      { behavior: "immediate" },
    );
  }

  async countFailedByEndpoint(filter: FailedFilter): Promise<ReadonlyMap<string, number>> {
    const rows = this.db
      .select({ endpointId: deliveries.endpointId, n: count() })
      .from(deliveries)
      .where(failedWhere(deliveries, events, filter))
      .groupBy(deliveries.endpointId)
      .all();
    return new Map(rows.map((row) => [row.endpointId, row.n]));
  }

  async eventTypesOf(eventIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = this.db
      .select({ id: events.id, type: events.type })
      .from(events)
      .where(inArray(events.id, [...new Set(eventIds)]))
      .all();
    return new Map(rows.map((row) => [row.id, row.type]));
  }

  async countMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    takes?: TakesContent,
  ): Promise<number> {
    if (takes) {
      return countPages(async (after) => {
        const rows = missingWithContent(this.db, endpointId, eventTypes, window, {
          limit: COUNT_PAGE,
          after,
        });
        return {
          counted: rows.filter((row) => takes(row)).length,
          next: nextAfter(rows, COUNT_PAGE),
        };
      });
    }
    const row = this.db
      .select({ n: count() })
      .from(events)
      .where(missingFor(this.db, endpointId, eventTypes, window, undefined))
      .get();
    return row?.n ?? 0;
  }

  /**
   * A batch is the next `batch.limit` events missing a delivery. With `takes`, they are
   * read with their payload and headers and only those it takes are queued; the next
   * batch starts after the last one read, taken or not.
   */
  async queueMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    takes?: TakesContent,
  ): Promise<BatchResult> {
    return this.db.transaction(
      (tx) => {
        if (!endpointExists(tx, endpointId)) return { queued: 0, next: null };
        if (takes) {
          const rows = missingWithContent(tx, endpointId, eventTypes, window, batch);
          const taken = rows.filter((row) => takes(row)).map((row) => row.id);
          insertPending(tx, taken, endpointId, now);
          return { queued: taken.length, next: nextAfter(rows, batch.limit) };
        }
        const rows = tx
          .select({ id: events.id, at: events.receivedAt })
          .from(events)
          .where(missingFor(tx, endpointId, eventTypes, window, batch.after))
          .orderBy(asc(events.receivedAt), asc(events.id))
          .limit(batch.limit)
          .all();
        insertPending(
          tx,
          rows.map((row) => row.id),
          endpointId,
          now,
        );
        return { queued: rows.length, next: nextAfter(rows, batch.limit) };
      },
      { behavior: "immediate" },
    );
  }

  async resend(eventId: string, endpointIds: readonly string[], now: Date): Promise<number> {
    if (endpointIds.length === 0) return 0;
    return this.db.transaction(
      (tx) => {
        const event = tx.select({ id: events.id }).from(events).where(eq(events.id, eventId)).get();
        if (!event) return 0;
        const targets = tx
          .select({ id: endpoints.id })
          .from(endpoints)
          .where(and(inArray(endpoints.id, [...endpointIds]), eq(endpoints.enabled, true)))
          .all();
        if (targets.length === 0) return 0;
        tx.insert(deliveries)
          .values(targets.map(({ id }) => pendingDelivery(eventId, id, now)))
          .run();
        return targets.length;
      },
      { behavior: "immediate" },
    );
  }

  async recordLeased(
    event: NewEvent,
    endpointId: string,
    lease: { readonly until: Date; readonly holder: string },
  ): Promise<ClaimedDelivery | undefined> {
    const deliveryId = newId();
    const stored = this.db.transaction(
      (tx) => {
        if (!endpointExists(tx, endpointId)) return false;
        const eventId = newId();
        tx.insert(events)
          .values({
            id: eventId,
            source: event.source,
            type: event.type,
            entityType: event.entityType ?? null,
            entityId: event.entityId ?? null,
            action: event.action ?? null,
            occurredAt: event.occurredAt,
            receivedAt: event.receivedAt,
            payload: event.payload,
            headers: { ...event.headers },
            dedupeKey: event.dedupeKey ?? null,
          })
          .run();
        tx.insert(deliveries)
          .values({
            ...pendingDelivery(eventId, endpointId, event.receivedAt),
            id: deliveryId,
            leaseExpiresAt: lease.until,
            leasedBy: lease.holder,
          })
          .run();
        return true;
      },
      { behavior: "immediate" },
    );
    if (!stored) return undefined;
    // Read back as a claim reads it (../claimed-row.ts), so that it carries whatever a
    // claim carries for sending.
    const row = this.sqlite
      .query<ClaimedRow, [string]>(
        `select ${CLAIMED_COLUMNS}
         from deliveries d
         join events ev on ev.id = d.event_id
         join endpoints en on en.id = d.endpoint_id
         where d.id = ?`,
      )
      .get(deliveryId);
    if (!row) throw new Error("the leased delivery was not read back");
    return claimedFromRow(row, {
      date: (value) => new Date(value as number),
      json: (value) => JSON.parse(value as string),
    });
  }
}

function missingFor(
  db: SqliteExecutor,
  endpointId: string,
  eventTypes: readonly string[],
  window: TimeWindow,
  after: TimeCursor | undefined,
): SQL | undefined {
  return and(
    inWindow(events.receivedAt, window),
    eventTypeCondition(events.type, eventTypes),
    replayable(events.type, sql`json_extract(${events.payload}, '$.endpoint.id')`, endpointId),
    after ? newerThan(events.receivedAt, events.id, after) : undefined,
    notExists(
      db
        .select({ one: sql`1` })
        .from(deliveries)
        .where(and(eq(deliveries.eventId, events.id), eq(deliveries.endpointId, endpointId))),
    ),
  );
}

function endpointExists(tx: SqliteExecutor, endpointId: string): boolean {
  return (
    tx.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.id, endpointId)).get() !==
    undefined
  );
}

/** The next events a replay would queue, read with what a payload filter reads. */
function missingWithContent(
  db: SqliteExecutor,
  endpointId: string,
  eventTypes: readonly string[],
  window: TimeWindow,
  batch: BatchRequest,
) {
  return db
    .select({
      id: events.id,
      at: events.receivedAt,
      type: events.type,
      payload: events.payload,
      headers: events.headers,
    })
    .from(events)
    .where(missingFor(db, endpointId, eventTypes, window, batch.after))
    .orderBy(asc(events.receivedAt), asc(events.id))
    .limit(batch.limit)
    .all();
}

function insertPending(
  tx: SqliteExecutor,
  eventIds: readonly string[],
  endpointId: string,
  now: Date,
): void {
  if (eventIds.length === 0) return;
  tx.insert(deliveries)
    .values(eventIds.map((id) => pendingDelivery(id, endpointId, now)))
    .run();
}
