import { and, count, desc, eq, lte, min } from "drizzle-orm";
import type postgres from "postgres";
import {
  CLAIMED_COLUMNS,
  type ClaimedRow,
  claimedFromRow,
  type RowDecoding,
} from "../claimed-row.ts";
import { pageByTime, type TimeCursor } from "../cursor.ts";
import {
  attemptOnRow,
  type ClaimedDelivery,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryFilter,
  type DeliveryStore,
  deliveryFromRow,
  type FinishedAttempt,
  type QueueStats,
  type RecordedAttempt,
} from "../deliveries.ts";
import { deliveryListWhere } from "../delivery-filter.ts";
import { isTypePrefix, typesUnderPrefix } from "../event-filter.ts";
import type { Page } from "../events.ts";
import type { HealthPolicy } from "../health-changes.ts";
import type { PgDb } from "./db.ts";
import { distinctTypes } from "./events.ts";
import { finishAttemptsOnPg } from "./finish-attempts.ts";
import { HealthyEndpoints } from "./healthy-endpoints.ts";
import { deliveries, deliveryAttempts, events } from "./schema.ts";

/**
 * jsonb comes back parsed; timestamptz as a Date, or as text on a
 * client that drizzle's postgres-js driver has set up (it turns the date parser off).
 */
const fromPostgres: RowDecoding = {
  date: (value) => (value instanceof Date ? value : new Date(value as string)),
  json: (value) => value,
};

/** $1 now, $2 limit, $3 the lease's end, $4 its holder; the shared column list as text. */
const CLAIM = `
  with due as (
    select d.ctid from deliveries d
    join endpoints en on en.id = d.endpoint_id
    where d.status = 'pending' and d.next_attempt_at <= $1::timestamptz
      and (d.lease_expires_at is null or d.lease_expires_at < $1::timestamptz)
      and en.enabled
    order by d.next_attempt_at
    limit $2
    for update of d skip locked
  ), d as (
    update deliveries leased
    set lease_expires_at = $3::timestamptz, leased_by = $4
    -- By the row's physical address: the row lock above keeps it where it is, and a TID
    -- scan is cheaper than looking each id up in the primary key again.
    from due where leased.ctid = due.ctid
    returning leased.id, leased.event_id, leased.endpoint_id, leased.attempt_count
  )
  select ${CLAIMED_COLUMNS}
  from d
  join events ev on ev.id = d.event_id
  join endpoints en on en.id = d.endpoint_id`;

export class PgDeliveryStore implements DeliveryStore {
  /** What this instance knows of its endpoints' health: ./healthy-endpoints.ts. */
  private readonly healthy = new HealthyEndpoints();

  /**
   * @param client runs the claim and the records: the worker's own connections, set up
   *   for that work (PgStore.open says how and why).
   */
  constructor(
    private readonly db: PgDb,
    private readonly client: postgres.Sql,
  ) {}

  /**
   * One statement: pick due rows, lease them and return them with their event and
   * endpoint. SKIP LOCKED: instances claiming at the same moment take different rows
   * instead of queueing behind each other's locks; the lease then keeps the rows theirs
   * after commit. Hand-written: drizzle's builder rebuilt it on every claim.
   */
  async claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<ClaimedDelivery[]> {
    const rows = await this.client.unsafe<ClaimedRow[]>(
      CLAIM,
      [now.toISOString(), limit, new Date(now.getTime() + lease.ms).toISOString(), lease.holder],
      { prepare: true },
    );
    return rows.map((row) => claimedFromRow(row, fromPostgres, now));
  }

  /** One statement for the whole batch: ./finish-attempts.ts. */
  async finishAttempts(
    finished: readonly FinishedAttempt[],
    policy: HealthPolicy = {},
  ): Promise<RecordedAttempt[]> {
    return finishAttemptsOnPg(this.client, finished, policy, this.healthy);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const [row] = await this.db.select().from(deliveries).where(eq(deliveries.id, id)).limit(1);
    return row && deliveryFromRow(row);
  }

  /** Those a later attempt replaced, then the latest, on the delivery's row. */
  async attempts(deliveryId: string): Promise<readonly DeliveryAttempt[]> {
    // Both at once: two round trips, one after the other, doubled the wait.
    const [replaced, [row]] = await Promise.all([
      this.db
        .select()
        .from(deliveryAttempts)
        .where(eq(deliveryAttempts.deliveryId, deliveryId))
        .orderBy(deliveryAttempts.attemptedAt, deliveryAttempts.id),
      this.db.select().from(deliveries).where(eq(deliveries.id, deliveryId)),
    ]);
    return row ? [...replaced, ...attemptOnRow(row)] : replaced;
  }

  async list(
    filter: DeliveryFilter,
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<Delivery, TimeCursor>> {
    const types = isTypePrefix(filter.eventType)
      ? typesUnderPrefix(filter.eventType, await distinctTypes(this.db))
      : undefined;
    const where = deliveryListWhere(deliveries, events, filter, page.after, types);
    const rows = await this.db
      .select()
      .from(deliveries)
      .where(where)
      .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
      .limit(page.limit + 1);
    return pageByTime(rows.map(deliveryFromRow), page.limit, (delivery) => delivery.createdAt);
  }

  async retry(id: string, now: Date): Promise<Delivery | undefined> {
    const [row] = await this.db
      .update(deliveries)
      .set({ status: "pending", attemptCount: 0, nextAttemptAt: now, updatedAt: now })
      .where(eq(deliveries.id, id))
      .returning();
    return row && deliveryFromRow(row);
  }

  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.db
      .select({ at: min(deliveries.nextAttemptAt) })
      .from(deliveries)
      .where(eq(deliveries.status, "pending"));
    return row?.at ?? null;
  }

  async stats(now: Date): Promise<QueueStats> {
    const counts = await this.db
      .select({ status: deliveries.status, n: count() })
      .from(deliveries)
      .groupBy(deliveries.status);
    const [oldest] = await this.db
      .select({ at: min(deliveries.nextAttemptAt) })
      .from(deliveries)
      .where(and(eq(deliveries.status, "pending"), lte(deliveries.nextAttemptAt, now)));
    return {
      byStatus: Object.fromEntries(counts.map((row) => [row.status, Number(row.n)])),
      oldestDueAt: oldest?.at ?? null,
    };
  }
}
