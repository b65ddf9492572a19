import { and, count, gte, inArray, sql } from "drizzle-orm";
import {
  type EndpointHealth,
  type EndpointHealthStore,
  healthFromRows,
} from "../endpoint-health.ts";
import type { SqliteDb } from "./db.ts";
import { deliveries, endpoints } from "./schema.ts";

export class SqliteEndpointHealthStore implements EndpointHealthStore {
  constructor(private readonly db: SqliteDb) {}

  async forEndpoints(ids: readonly string[], since: Date): Promise<Map<string, EndpointHealth>> {
    if (ids.length === 0) return new Map();
    const attempted = sql<boolean | number>`${deliveries.attemptCount} > 0`;
    const rows = this.db
      .select({
        id: endpoints.id,
        enabled: endpoints.enabled,
        consecutiveFailures: endpoints.consecutiveFailures,
        failingSince: endpoints.failingSince,
        lastAttemptAt: endpoints.lastAttemptAt,
        lastStatusCode: endpoints.lastStatusCode,
      })
      .from(endpoints)
      .where(inArray(endpoints.id, [...ids]))
      .all();
    const grouped = this.db
      .select({
        endpointId: deliveries.endpointId,
        status: deliveries.status,
        attempted,
        n: count(),
      })
      .from(deliveries)
      .where(and(inArray(deliveries.endpointId, [...ids]), gte(deliveries.createdAt, since)))
      .groupBy(deliveries.endpointId, deliveries.status, attempted)
      .all();
    return healthFromRows(rows, grouped);
  }
}
