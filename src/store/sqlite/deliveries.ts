import type { Database } from "bun:sqlite";
import { and, count, desc, eq, lte, min } from "drizzle-orm";
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
import { toDate } from "./dates.ts";
import type { SqliteDb } from "./db.ts";
import { distinctTypes } from "./events.ts";
import { type FinishAttempts, prepareFinishAttempts } from "./finish-attempts.ts";
import { deliveries, deliveryAttempts, events } from "./schema.ts";

/**
 * Claiming and finishing are the worker's hot path: statements prepared once, run in Bun's
 * own synchronous transactions (nothing in this process can interleave with them, so the
 * select-then-lease of a claim is atomic), not rebuilt by drizzle's builder per call.
 */
export class SqliteDeliveryStore implements DeliveryStore {
  /** Prepared on first use: the tables exist only after migrating. */
  private hotPath: HotPath | undefined;
  private finish: FinishAttempts | undefined;

  constructor(
    private readonly db: SqliteDb,
    private readonly sqlite: Database,
  ) {}

  async claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<ClaimedDelivery[]> {
    this.hotPath ??= prepareHotPath(this.sqlite);
    return this.hotPath.claim(now.getTime(), limit, now.getTime() + lease.ms, lease.holder);
  }

  async finishAttempts(
    finished: readonly FinishedAttempt[],
    policy: HealthPolicy = {},
  ): Promise<RecordedAttempt[]> {
    this.finish ??= prepareFinishAttempts(this.sqlite);
    return this.finish(finished, policy);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const row = this.db.select().from(deliveries).where(eq(deliveries.id, id)).get();
    return row && deliveryFromRow(row);
  }

  /** Those a later attempt replaced, then the latest, on the delivery's row. */
  async attempts(deliveryId: string): Promise<readonly DeliveryAttempt[]> {
    const replaced = this.db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, deliveryId))
      .orderBy(deliveryAttempts.attemptedAt, deliveryAttempts.id)
      .all();
    const row = this.db.select().from(deliveries).where(eq(deliveries.id, deliveryId)).get();
    return row ? [...replaced, ...attemptOnRow(row)] : replaced;
  }

  async list(
    filter: DeliveryFilter,
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<Delivery, TimeCursor>> {
    const types = isTypePrefix(filter.eventType)
      ? typesUnderPrefix(filter.eventType, distinctTypes(this.db))
      : undefined;
    const where = deliveryListWhere(deliveries, events, filter, page.after, types);
    const rows = this.db
      .select()
      .from(deliveries)
      .where(where)
      .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
      .limit(page.limit + 1)
      .all();
    return pageByTime(rows.map(deliveryFromRow), page.limit, (delivery) => delivery.createdAt);
  }

  async retry(id: string, now: Date): Promise<Delivery | undefined> {
    const row = this.db
      .update(deliveries)
      .set({ status: "pending", attemptCount: 0, nextAttemptAt: now, updatedAt: now })
      .where(eq(deliveries.id, id))
      .returning()
      .get();
    return row && deliveryFromRow(row);
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

interface HotPath {
  claim(now: number, limit: number, leaseUntil: number, holder: string): ClaimedDelivery[];
}

const fromSqlite: RowDecoding = {
  date: (value) => new Date(value as number),
  json: (value) => JSON.parse(value as string),
};

function prepareHotPath(sqlite: Database): HotPath {
  const due = sqlite.prepare<ClaimedRow, [number, number, number]>(
    `select ${CLAIMED_COLUMNS}
     from deliveries d
     join endpoints en on en.id = d.endpoint_id
     join events ev on ev.id = d.event_id
     where d.status = 'pending' and d.next_attempt_at <= ?
       and (d.lease_expires_at is null or d.lease_expires_at < ?) and en.enabled = 1
     order by d.next_attempt_at
     limit ?`,
  );
  const takeLease = sqlite.prepare<never, [number, string, string]>(
    "update deliveries set lease_expires_at = ?, leased_by = ? where id = ?",
  );
  return {
    claim: sqlite.transaction((now: number, limit: number, leaseUntil: number, holder: string) => {
      const rows = due.all(now, now, limit);
      for (const row of rows) takeLease.run(leaseUntil, holder, row.id);
      return rows.map((row) => claimedFromRow(row, fromSqlite, new Date(now)));
    }),
  };
}
