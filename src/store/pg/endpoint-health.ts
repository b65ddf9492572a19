import { and, count, gte, inArray, sql } from "drizzle-orm";
import {
  type EndpointHealth,
  type EndpointHealthStore,
  healthFromRows,
} from "../endpoint-health.ts";
import type { PgDb } from "./db.ts";
import { deliveries, endpoints } from "./schema.ts";

export class PgEndpointHealthStore implements EndpointHealthStore {
  constructor(private readonly db: PgDb) {}

  async forEndpoints(ids: readonly string[], since: Date): Promise<Map<string, EndpointHealth>> {
    if (ids.length === 0) return new Map();
    const attempted = sql<boolean | number>`${deliveries.attemptCount} > 0`;
    // Both at once: one round trip's wait instead of two.
    const [rows, grouped] = await Promise.all([
      this.db
        .select({
          id: endpoints.id,
          enabled: endpoints.enabled,
          consecutiveFailures: endpoints.consecutiveFailures,
          failingSince: endpoints.failingSince,
          lastAttemptAt: endpoints.lastAttemptAt,
          lastStatusCode: endpoints.lastStatusCode,
        })
        .from(endpoints)
        .where(inArray(endpoints.id, [...ids])),
      this.db
        .select({
          endpointId: deliveries.endpointId,
          status: deliveries.status,
          attempted,
          n: count(),
        })
        .from(deliveries)
        .where(and(inArray(deliveries.endpointId, [...ids]), gte(deliveries.createdAt, since)))
        .groupBy(deliveries.endpointId, deliveries.status, attempted),
    ]);
    return healthFromRows(rows, grouped);
  }
}
