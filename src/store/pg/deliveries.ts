import { and, count, desc, eq, lte, min } from "drizzle-orm";
import type postgres from "postgres";
import { newId } from "../../lib/ids.ts";
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
} from "../deliveries.ts";
import { deliveryListWhere } from "../delivery-filter.ts";
import { isTypePrefix, typesUnderPrefix } from "../event-filter.ts";
import type { Page } from "../events.ts";
import type { PgDb } from "./db.ts";
import { distinctTypes } from "./events.ts";
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
    return rows.map((row) => claimedFromRow(row, fromPostgres));
  }

  /**
   * One statement for the whole batch (data-modifying CTEs run together, atomically): each
   * delivery's outcome and its attempt, written on its row; the attempt that was there
   * before, if any, moved into delivery_attempts; for a 410, the endpoint's disable. The
   * batch travels as one parameter, JSON text (typed so, lest the client encode it a
   * second time), unpacked by jsonb_to_recordset.
   */
  async finishAttempts(finished: readonly FinishedAttempt[]): Promise<boolean[]> {
    if (finished.length === 0) return [];
    const input = finished.map(({ deliveryId, holder, attempt, outcome, disableEndpoint }) => ({
      id: deliveryId,
      holder,
      status: outcome.status,
      next_at: outcome.status === "pending" ? outcome.nextAttemptAt.toISOString() : null,
      attempt_id: newId(),
      at: attempt.attemptedAt.toISOString(),
      code: attempt.statusCode,
      duration: attempt.durationMs,
      error: attempt.error,
      body: attempt.responseBody,
      disable: disableEndpoint ?? null,
    }));
    const rows = await this.client<{ id: string }[]>`
        with input as (
          select * from jsonb_to_recordset(${JSON.stringify(input)}::text::jsonb) as i(
            id text, holder text, status text, next_at timestamptz, attempt_id text,
            at timestamptz, code int, duration int, error text, body text, disable text)
        ), replaced as materialized (
          -- The statement's snapshot: the attempts on the rows before the update below.
          -- Materialized: almost always empty, so joining it to finished costs nothing;
          -- inlined, the join below went through every pair of input and finished rows.
          select d.last_attempt_id, d.id, d.last_attempted_at, d.last_status_code,
                 d.last_duration_ms, d.last_error, d.last_response_body
          from input i join deliveries d on d.id = i.id
          where d.leased_by = i.holder and d.last_attempt_id is not null
        ), finished as (
          update deliveries d
          set status = i.status, attempt_count = d.attempt_count + 1, next_attempt_at = i.next_at,
              lease_expires_at = null, leased_by = null, last_status_code = i.code,
              last_error = i.error, updated_at = i.at,
              delivered_at = case when i.status = 'delivered' then i.at else d.delivered_at end,
              last_attempt_id = i.attempt_id, last_attempted_at = i.at,
              last_duration_ms = i.duration, last_response_body = i.body
          from input i
          where d.id = i.id and d.leased_by = i.holder
          returning d.id, d.endpoint_id
        ), archived as (
          insert into delivery_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error, response_body)
          select r.* from replaced r join finished f on f.id = r.id
        ), gone as materialized (
          -- Almost always empty: filtered first, so the join below has nothing to do.
          select id, disable, at from input where disable is not null
        ), disabled as (
          update endpoints e
          set enabled = false, disabled_reason = g.disable, updated_at = g.at
          from gone g join finished f on f.id = g.id
          where e.id = f.endpoint_id
        )
        -- archived and disabled run whether or not they are read: PostgreSQL always runs
        -- data-modifying CTEs to completion.
        select id from finished`;
    const recorded = new Set(rows.map((row) => row.id));
    return finished.map(({ deliveryId }) => recorded.has(deliveryId));
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
