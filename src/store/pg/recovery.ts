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
  isOperational,
  newerThan,
  nextAfter,
  pendingDelivery,
  replayable,
  replayCandidates,
  type ScannedEvent,
  windowFilter,
} from "../recovery-sql.ts";
import type { PgDb, PgExecutor } from "./db.ts";
import { deliveries, endpoints, events } from "./schema.ts";

export class PgRecoveryStore implements RecoveryStore {
  constructor(private readonly db: PgDb) {}

  async countFailed(endpointId: string, window: TimeWindow): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(deliveries)
      .where(failedWhere(deliveries, events, { endpointId, ...window }));
    return row?.n ?? 0;
  }

  /**
   * The batch is chosen first, then updated by id, so that its last row (the next batch's
   * start) is read in the database's own order. A row queued meanwhile by someone else (a
   * second recovery, a retry by hand) is failed no longer, and not counted.
   */
  async requeueFailed(
    endpointId: string,
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    eventType?: string,
  ): Promise<BatchResult> {
    const rows = await this.db
      .select({ id: deliveries.id, at: deliveries.createdAt })
      .from(deliveries)
      .where(
        failedWhere(deliveries, events, windowFilter(endpointId, window, eventType), batch.after),
      )
      .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
      .limit(batch.limit);
    if (rows.length === 0) return { queued: 0, next: null };
    const queued = await this.db
      .update(deliveries)
      .set({ status: "pending", attemptCount: 0, nextAttemptAt: now, updatedAt: now })
      .where(
        and(
          inArray(
            deliveries.id,
            rows.map((row) => row.id),
          ),
          eq(deliveries.status, "failed"),
        ),
      )
      .returning({ id: deliveries.id });
    return { queued: queued.length, next: nextAfter(rows, batch.limit) };
  }

  async countFailedByEndpoint(filter: FailedFilter): Promise<ReadonlyMap<string, number>> {
    const rows = await this.db
      .select({ endpointId: deliveries.endpointId, n: count() })
      .from(deliveries)
      .where(failedWhere(deliveries, events, filter))
      .groupBy(deliveries.endpointId);
    return new Map(rows.map((row) => [row.endpointId, row.n]));
  }

  async eventTypesOf(eventIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (eventIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: events.id, type: events.type })
      .from(events)
      .where(inArray(events.id, [...new Set(eventIds)]));
    return new Map(rows.map((row) => [row.id, row.type]));
  }

  async countMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    takes?: TakesContent,
  ): Promise<number> {
    if (takes) {
      // Scanned as a replay scans, so that the count reads the same range the same way.
      return countPages(async (after) => {
        const rows = await scanWindow(this.db, endpointId, window, { limit: COUNT_PAGE, after });
        const candidates = replayCandidates(rows, endpointId, eventTypes);
        const taken = await takenOf(this.db, candidates, takes);
        return { counted: taken.length, next: nextAfter(rows, COUNT_PAGE) };
      });
    }
    const [row] = await this.db
      .select({ n: count() })
      .from(events)
      .where(missingFor(this.db, endpointId, eventTypes, window, undefined));
    return row?.n ?? 0;
  }

  /**
   * A batch is `batch.limit` events of the window read in (received_at, id) order, those
   * missing a delivery queued: a range of the events_received_idx index, whatever share of
   * it matches. Asked for the first `limit` missing events instead, PostgreSQL could not
   * tell how rare they were and read and sorted the whole window for every batch (12 s for
   * 50,000 of 200,000 events); this way a batch takes milliseconds, and a window of N
   * events N / limit batches. With `takes`, only the missing ones are read again with
   * their payload and headers, for the filter.
   */
  async queueMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    takes?: TakesContent,
  ): Promise<BatchResult> {
    return this.db.transaction(async (tx) => {
      // Replays of one endpoint take turns, a batch at a time and on any instance: each
      // batch then sees what the other queued (there is no unique (event, endpoint) index,
      // since a resend adds a second delivery on purpose), and no event is queued twice.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${`hookyard:replay:${endpointId}`}))`,
      );
      // Held until commit, so that the endpoint is not deleted meanwhile.
      if (!(await endpointExists(tx, endpointId))) return { queued: 0, next: null };
      const rows = await scanWindow(tx, endpointId, window, batch);
      const missing = replayCandidates(rows, endpointId, eventTypes);
      // Locked against deletion (retention) until commit; one deleted since the scan is skipped.
      const present = takes
        ? await takenOf(tx, missing, takes, "lock")
        : await stillStored(tx, missing);
      if (present.length > 0) {
        await tx
          .insert(deliveries)
          .values(present.map((id) => pendingDelivery(id, endpointId, now)));
      }
      return { queued: present.length, next: nextAfter(rows, batch.limit) };
    });
  }

  async resend(eventId: string, endpointIds: readonly string[], now: Date): Promise<number> {
    if (endpointIds.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const [event] = await tx
        .select({ id: events.id })
        .from(events)
        .where(eq(events.id, eventId))
        .for("key share");
      if (!event) return 0;
      const targets = await tx
        .select({ id: endpoints.id })
        .from(endpoints)
        .where(and(inArray(endpoints.id, [...endpointIds]), eq(endpoints.enabled, true)))
        .for("key share");
      if (targets.length === 0) return 0;
      await tx
        .insert(deliveries)
        .values(targets.map(({ id }) => pendingDelivery(eventId, id, now)));
      return targets.length;
    });
  }

  async recordLeased(
    event: NewEvent,
    endpointId: string,
    lease: { readonly until: Date; readonly holder: string },
  ): Promise<ClaimedDelivery | undefined> {
    return this.db.transaction(async (tx) => {
      if (!(await endpointExists(tx, endpointId))) return undefined;
      const eventId = newId();
      const deliveryId = newId();
      await tx.insert(events).values({
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
      });
      await tx.insert(deliveries).values({
        ...pendingDelivery(eventId, endpointId, event.receivedAt),
        id: deliveryId,
        leaseExpiresAt: lease.until,
        leasedBy: lease.holder,
      });
      // Read back as a claim reads it (../claimed-row.ts), so that it carries whatever a
      // claim carries for sending.
      const [row] = await tx.execute<Record<string, unknown>>(sql`
        select ${sql.raw(CLAIMED_COLUMNS)}
        from deliveries d
        join events ev on ev.id = d.event_id
        join endpoints en on en.id = d.endpoint_id
        where d.id = ${deliveryId}`);
      if (!row) throw new Error("the leased delivery was not read back");
      return claimedFromRow(row as unknown as ClaimedRow, {
        // Text on drizzle's client, which turns postgres.js's date parser off.
        date: (value) => (value instanceof Date ? value : new Date(value as string)),
        json: (value) => value,
      });
    });
  }
}

function missingFor(
  db: PgExecutor,
  endpointId: string,
  eventTypes: readonly string[],
  window: TimeWindow,
  after: TimeCursor | undefined,
): SQL | undefined {
  return and(
    inWindow(events.receivedAt, window),
    eventTypeCondition(events.type, eventTypes),
    replayable(events.type, sql`${events.payload}->'endpoint'->>'id'`, endpointId),
    after ? newerThan(events.receivedAt, events.id, after) : undefined,
    notExists(
      db
        .select({ one: sql`1` })
        .from(deliveries)
        .where(and(eq(deliveries.eventId, events.id), eq(deliveries.endpointId, endpointId))),
    ),
  );
}

/** Locks the endpoint against deletion until the transaction ends; false when there is none. */
async function endpointExists(tx: PgExecutor, endpointId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: endpoints.id })
    .from(endpoints)
    .where(eq(endpoints.id, endpointId))
    .for("key share");
  return row !== undefined;
}

/**
 * A batch of the window's events in (received_at, id) order, each with whether it has a
 * delivery to the endpoint already: what a replay's batch and a filtered count's page read.
 */
async function scanWindow(
  db: PgExecutor,
  endpointId: string,
  window: TimeWindow,
  batch: BatchRequest,
): Promise<(ScannedEvent & { readonly at: Date })[]> {
  const scanned = db.$with("scanned").as(
    db
      .select({
        id: events.id,
        type: events.type,
        at: events.receivedAt,
        // Read for hookyard's own events only: CASE spares every other payload.
        about: sql<string | null>`case when ${isOperational(events.type)}
          then ${events.payload}->'endpoint'->>'id' end`.as("about"),
      })
      .from(events)
      .where(
        and(
          inWindow(events.receivedAt, window),
          batch.after ? newerThan(events.receivedAt, events.id, batch.after) : undefined,
        ),
      )
      .orderBy(asc(events.receivedAt), asc(events.id))
      .limit(batch.limit),
  );
  // Per scanned event, through deliveries_event_idx: as a NOT EXISTS, PostgreSQL
  // hashed every delivery of the endpoint instead (170 ms a batch at 100,000).
  const queued = db
    .select({ one: sql<number>`1`.as("one") })
    .from(deliveries)
    .where(and(eq(deliveries.eventId, scanned.id), eq(deliveries.endpointId, endpointId)))
    .limit(1)
    .as("queued");
  return db
    .with(scanned)
    .select({
      id: scanned.id,
      type: scanned.type,
      at: scanned.at,
      about: scanned.about,
      queued: queued.one,
    })
    .from(scanned)
    .leftJoinLateral(queued, sql`true`)
    .orderBy(asc(scanned.at), asc(scanned.id));
}

/** Of these events, the ids of those still stored, each locked against deletion until commit. */
async function stillStored(tx: PgExecutor, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .select({ id: events.id })
    .from(events)
    .where(inArray(events.id, [...ids]))
    .for("key share");
  return rows.map((row) => row.id);
}

/**
 * Of these events, the ids of those still stored whose payload and headers `takes`
 * accepts; with "lock", each one read is locked against deletion until commit.
 */
async function takenOf(
  db: PgExecutor,
  ids: readonly string[],
  takes: TakesContent,
  lock?: "lock",
): Promise<string[]> {
  if (ids.length === 0) return [];
  const query = db
    .select({ id: events.id, type: events.type, payload: events.payload, headers: events.headers })
    .from(events)
    .where(inArray(events.id, [...ids]));
  const rows = lock ? await query.for("key share") : await query;
  return rows.filter((row) => takes(row)).map((row) => row.id);
}
