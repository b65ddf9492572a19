import { and, asc, inArray, lt } from "drizzle-orm";
import { FINISHED_RELAY_STATUSES, type RetentionStore } from "../retention.ts";
import type { SqliteDb } from "./db.ts";
import { events, relayMessages } from "./schema.ts";

export class SqliteRetentionStore implements RetentionStore {
  constructor(private readonly db: SqliteDb) {}

  async deleteEventsBefore(cutoff: Date, limit: number): Promise<number> {
    const oldest = this.db
      .select({ id: events.id })
      .from(events)
      .where(lt(events.receivedAt, cutoff))
      .orderBy(asc(events.receivedAt))
      .limit(limit);
    // Deliveries and their attempts go with their event (ON DELETE CASCADE).
    const deleted = await this.db
      .delete(events)
      .where(inArray(events.id, oldest))
      .returning({ id: events.id });
    return deleted.length;
  }

  async deleteRelayMessagesBefore(cutoff: Date, limit: number): Promise<number> {
    const oldest = this.db
      .select({ id: relayMessages.id })
      .from(relayMessages)
      .where(
        and(
          lt(relayMessages.receivedAt, cutoff),
          inArray(relayMessages.status, [...FINISHED_RELAY_STATUSES]),
        ),
      )
      .orderBy(asc(relayMessages.receivedAt))
      .limit(limit);
    const deleted = await this.db
      .delete(relayMessages)
      .where(inArray(relayMessages.id, oldest))
      .returning({ id: relayMessages.id });
    return deleted.length;
  }
}
