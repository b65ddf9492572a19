import {
  and,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  lt,
  lte,
  min,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { newId } from "../../lib/ids.ts";
import { pageByTime, type TimeCursor } from "../cursor.ts";
import type {
  AttemptOutcome,
  ClaimedDelivery,
  Delivery,
  DeliveryAttempt,
  DeliveryFilter,
  DeliveryStatus,
  DeliveryStore,
  NewAttempt,
  QueueStats,
} from "../deliveries.ts";
import type { Page } from "../events.ts";
import { olderThan } from "../keyset.ts";
import { toDate } from "./dates.ts";
import type { SqliteDb } from "./db.ts";
import { deliveries, deliveryAttempts, endpoints, events } from "./schema.ts";

type DeliveryRow = typeof deliveries.$inferSelect;

const toDelivery = ({ leaseExpiresAt: _l, leasedBy: _b, ...row }: DeliveryRow): Delivery => ({
  ...row,
  status: row.status as DeliveryStatus,
});

export class SqliteDeliveryStore implements DeliveryStore {
  constructor(private readonly db: SqliteDb) {}

  async claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<ClaimedDelivery[]> {
    // One UPDATE … WHERE id IN (SELECT …): atomic in SQLite, and Bun's driver is
    // synchronous, so nothing in this process can claim between the select and the update.
    const due = this.db
      .select({ id: deliveries.id })
      .from(deliveries)
      .innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
      .where(
        and(
          eq(deliveries.status, "pending"),
          lte(deliveries.nextAttemptAt, now),
          or(isNull(deliveries.leaseExpiresAt), lt(deliveries.leaseExpiresAt, now)),
          eq(endpoints.enabled, true),
        ),
      )
      .orderBy(deliveries.nextAttemptAt)
      .limit(limit);
    const claimed = this.db
      .update(deliveries)
      .set({ leaseExpiresAt: new Date(now.getTime() + lease.ms), leasedBy: lease.holder })
      .where(inArray(deliveries.id, due))
      .returning()
      .all();
    if (claimed.length === 0) return [];
    const related = this.db
      .select({
        delivery: deliveries.id,
        event: getTableColumns(events),
        endpoint: getTableColumns(endpoints),
      })
      .from(deliveries)
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
      .where(
        inArray(
          deliveries.id,
          claimed.map((row) => row.id),
        ),
      )
      .all();
    const byId = new Map(related.map((row) => [row.delivery, row]));
    return claimed.flatMap((row) => {
      const found = byId.get(row.id);
      if (!found) return [];
      const { dedupeKey: _, ...event } = found.event;
      return [{ delivery: toDelivery(row), event, endpoint: found.endpoint }];
    });
  }

  async finishAttempt(
    deliveryId: string,
    holder: string,
    attempt: NewAttempt,
    outcome: AttemptOutcome,
    disableEndpoint?: string,
  ): Promise<boolean> {
    return this.db.transaction((tx) => {
      const updated = tx
        .update(deliveries)
        .set({
          status: outcome.status,
          attemptCount: sql`${deliveries.attemptCount} + 1`,
          nextAttemptAt: outcome.status === "pending" ? outcome.nextAttemptAt : null,
          leaseExpiresAt: null,
          leasedBy: null,
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
          updatedAt: attempt.attemptedAt,
          ...(outcome.status === "delivered" ? { deliveredAt: attempt.attemptedAt } : {}),
        })
        .where(and(eq(deliveries.id, deliveryId), eq(deliveries.leasedBy, holder)))
        .returning({ endpointId: deliveries.endpointId })
        .get();
      if (!updated) return false;
      tx.insert(deliveryAttempts)
        .values({ id: newId(), deliveryId, ...attempt })
        .run();
      if (disableEndpoint !== undefined) {
        tx.update(endpoints)
          .set({ enabled: false, disabledReason: disableEndpoint, updatedAt: attempt.attemptedAt })
          .where(eq(endpoints.id, updated.endpointId))
          .run();
      }
      return true;
    });
  }

  async get(id: string): Promise<Delivery | undefined> {
    const row = this.db.select().from(deliveries).where(eq(deliveries.id, id)).get();
    return row && toDelivery(row);
  }

  async attempts(deliveryId: string): Promise<readonly DeliveryAttempt[]> {
    return this.db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, deliveryId))
      .orderBy(deliveryAttempts.attemptedAt, deliveryAttempts.id)
      .all();
  }

  async list(
    filter: DeliveryFilter,
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<Delivery, TimeCursor>> {
    const conditions: (SQL | undefined)[] = [
      filter.endpointId ? eq(deliveries.endpointId, filter.endpointId) : undefined,
      filter.eventId ? eq(deliveries.eventId, filter.eventId) : undefined,
      filter.status ? eq(deliveries.status, filter.status) : undefined,
      page.after ? olderThan(deliveries.createdAt, deliveries.id, page.after) : undefined,
    ];
    const rows = this.db
      .select()
      .from(deliveries)
      .where(and(...conditions))
      .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
      .limit(page.limit + 1)
      .all();
    return pageByTime(rows.map(toDelivery), page.limit, (delivery) => delivery.createdAt);
  }

  async retry(id: string, now: Date): Promise<Delivery | undefined> {
    const row = this.db
      .update(deliveries)
      .set({ status: "pending", attemptCount: 0, nextAttemptAt: now, updatedAt: now })
      .where(eq(deliveries.id, id))
      .returning()
      .get();
    return row && toDelivery(row);
  }

  async nextDueAt(): Promise<Date | null> {
    const row = this.db
      .select({ at: min(deliveries.nextAttemptAt) })
      .from(deliveries)
      .where(eq(deliveries.status, "pending"))
      .get();
    return toDate(row?.at);
  }

  async stats(now: Date): Promise<QueueStats> {
    const counts = this.db
      .select({ status: deliveries.status, n: count() })
      .from(deliveries)
      .groupBy(deliveries.status)
      .all();
    const oldest = this.db
      .select({ at: min(deliveries.nextAttemptAt) })
      .from(deliveries)
      .where(and(eq(deliveries.status, "pending"), lte(deliveries.nextAttemptAt, now)))
      .get();
    return {
      byStatus: Object.fromEntries(counts.map((row) => [row.status, Number(row.n)])),
      oldestDueAt: toDate(oldest?.at),
    };
  }
}
