import {
  and,
  count,
  desc,
  eq,
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
import type { Page } from "../events.ts";
import { olderThan } from "../keyset.ts";
import type {
  AcceptResult,
  NewRelayMessage,
  RelayMessage,
  RelayOutcome,
  RelayStatus,
  RelayStore,
  RelaySummaryRow,
} from "../relay.ts";
import { toDate } from "./dates.ts";
import type { SqliteDb } from "./db.ts";
import { relayMessages } from "./schema.ts";

type Row = typeof relayMessages.$inferSelect;

const toMessage = ({ leaseExpiresAt: _l, leasedBy: _b, ...row }: Row): RelayMessage => ({
  ...row,
  status: row.status as RelayStatus,
});

export class SqliteRelayStore implements RelayStore {
  constructor(
    private readonly db: SqliteDb,
    private readonly onQueued: () => void,
  ) {}

  async accept(message: NewRelayMessage, now: Date): Promise<AcceptResult> {
    const row = {
      id: newId(),
      payload: message.payload,
      status: message.status,
      receivedAt: now,
      queuedAt: now,
      pubsubMessageId: message.pubsubMessageId ?? null,
      ...(message.status === "rejected"
        ? { lastError: message.reason }
        : {
            project: message.project,
            eventId: message.eventId,
            eventType: message.eventType,
            nextAttemptAt: message.status === "queued" ? now : null,
          }),
    };
    const [stored] = await this.db
      .insert(relayMessages)
      .values(row)
      .onConflictDoNothing({ target: [relayMessages.project, relayMessages.eventId] })
      .returning();
    if (stored) {
      if (stored.status === "queued") this.onQueued();
      return { status: "stored", message: toMessage(stored) };
    }
    const [existing] =
      message.status === "rejected"
        ? []
        : await this.db
            .select({ id: relayMessages.id })
            .from(relayMessages)
            .where(
              and(
                eq(relayMessages.project, message.project),
                eq(relayMessages.eventId, message.eventId),
              ),
            )
            .limit(1);
    return { status: "duplicate", id: existing?.id ?? null };
  }

  async claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<RelayMessage[]> {
    // One atomic UPDATE … WHERE id IN (SELECT …), as for deliveries.
    const due = this.db
      .select({ id: relayMessages.id })
      .from(relayMessages)
      .where(
        and(
          eq(relayMessages.status, "queued"),
          lte(relayMessages.nextAttemptAt, now),
          or(isNull(relayMessages.leaseExpiresAt), lt(relayMessages.leaseExpiresAt, now)),
        ),
      )
      .orderBy(relayMessages.nextAttemptAt)
      .limit(limit);
    const claimed = await this.db
      .update(relayMessages)
      .set({ leaseExpiresAt: new Date(now.getTime() + lease.ms), leasedBy: lease.holder })
      .where(inArray(relayMessages.id, due))
      .returning()
      .all();
    return claimed.map(toMessage);
  }

  async finish(id: string, holder: string, outcome: RelayOutcome, now: Date): Promise<boolean> {
    const updated = await this.db
      .update(relayMessages)
      .set({ ...outcomeColumns(outcome, now), leaseExpiresAt: null, leasedBy: null })
      .where(and(eq(relayMessages.id, id), eq(relayMessages.leasedBy, holder)))
      .returning({ id: relayMessages.id })
      .all();
    return updated.length > 0;
  }

  async get(id: string): Promise<RelayMessage | undefined> {
    const [row] = await this.db
      .select()
      .from(relayMessages)
      .where(eq(relayMessages.id, id))
      .limit(1);
    return row && toMessage(row);
  }

  async list(
    filter: { status?: RelayStatus | undefined; project?: string | undefined },
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<RelayMessage, TimeCursor>> {
    const conditions: (SQL | undefined)[] = [
      filter.status ? eq(relayMessages.status, filter.status) : undefined,
      filter.project ? eq(relayMessages.project, filter.project) : undefined,
      page.after ? olderThan(relayMessages.receivedAt, relayMessages.id, page.after) : undefined,
    ];
    const rows = this.db
      .select()
      .from(relayMessages)
      .where(and(...conditions))
      .orderBy(desc(relayMessages.receivedAt), desc(relayMessages.id))
      .limit(page.limit + 1)
      .all();
    return pageByTime(rows.map(toMessage), page.limit, (message) => message.receivedAt);
  }

  async retry(id: string, now: Date): Promise<RelayMessage | undefined> {
    const [row] = await this.db
      .update(relayMessages)
      .set({ status: "queued", attemptCount: 0, nextAttemptAt: now, queuedAt: now })
      .where(
        and(eq(relayMessages.id, id), inArray(relayMessages.status, ["failed", "held", "queued"])),
      )
      .returning();
    if (row) this.onQueued();
    return row && toMessage(row);
  }

  async releaseHeld(now: Date): Promise<number> {
    const released = await this.db
      .update(relayMessages)
      .set({ status: "queued", nextAttemptAt: now, queuedAt: now })
      .where(eq(relayMessages.status, "held"))
      .returning({ id: relayMessages.id })
      .all();
    if (released.length > 0) this.onQueued();
    return released.length;
  }

  async nextDueAt(): Promise<Date | null> {
    const row = this.db
      .select({ at: min(relayMessages.nextAttemptAt) })
      .from(relayMessages)
      .where(eq(relayMessages.status, "queued"))
      .get();
    return toDate(row?.at);
  }

  async summary(): Promise<readonly RelaySummaryRow[]> {
    const rows = this.db
      .select({ project: relayMessages.project, status: relayMessages.status, count: count() })
      .from(relayMessages)
      .groupBy(relayMessages.project, relayMessages.status)
      .all();
    return rows.map((row) => ({
      ...row,
      status: row.status as RelayStatus,
      count: Number(row.count),
    }));
  }

  async oldestDueAt(now: Date): Promise<Date | null> {
    const row = this.db
      .select({ at: min(relayMessages.nextAttemptAt) })
      .from(relayMessages)
      .where(and(eq(relayMessages.status, "queued"), lte(relayMessages.nextAttemptAt, now)))
      .get();
    return toDate(row?.at);
  }
}

/** The columns an outcome sets. */
function outcomeColumns(outcome: RelayOutcome, now: Date) {
  switch (outcome.status) {
    case "sent":
      return {
        status: "sent",
        attemptCount: sql`${relayMessages.attemptCount} + 1`,
        lastAttemptAt: now,
        sentAt: now,
        svixMessageId: outcome.svixMessageId,
        nextAttemptAt: null,
        lastError: null,
      } as const;
    case "queued":
      return {
        status: "queued",
        attemptCount: sql`${relayMessages.attemptCount} + 1`,
        lastAttemptAt: now,
        nextAttemptAt: outcome.nextAttemptAt,
        lastError: outcome.error,
      } as const;
    case "failed":
      return {
        status: "failed",
        attemptCount: sql`${relayMessages.attemptCount} + 1`,
        lastAttemptAt: now,
        nextAttemptAt: null,
        lastError: outcome.error,
      } as const;
    case "deferred":
      return { nextAttemptAt: outcome.nextAttemptAt } as const;
  }
}
