/**
 * Endpoint health for the API and the dashboard: what the store keeps (../store/endpoint-
 * health.ts) summed up as a state and the last 24 hours of deliveries. One call for any
 * number of endpoints costs two queries.
 */
import type { AppContext } from "../context.ts";
import type { EndpointHealth } from "../store/endpoint-health.ts";
import type { Endpoint } from "../store/endpoints.ts";

/** How far back the delivery counts and the success rate look. */
export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * `disabled`: it receives nothing (by hand, a 410, or ENDPOINT_DISABLE_AFTER); `failing`:
 * its last attempt failed; `healthy`: its last attempt succeeded, or none was made yet.
 */
export type EndpointState = "healthy" | "failing" | "disabled";

export interface EndpointHealthSummary {
  readonly state: EndpointState;
  /** Deliveries created in the last 24 hours, by status. */
  readonly deliveries24h: {
    readonly delivered: number;
    readonly failed: number;
    readonly pending: number;
  };
  /**
   * Of those deliveries that were attempted, the share delivered (0 to 1): the failed ones,
   * and the pending ones whose attempts so far failed, count against it. Null when none was.
   */
  readonly successRate: number | null;
  readonly lastAttemptAt: Date | null;
  /** The last attempt's HTTP status; null when no response came, or no attempt was made. */
  readonly lastStatus: number | null;
  /** Attempts that failed since the last success. */
  readonly consecutiveFailures: number;
  /** When the first of them was made. */
  readonly failingSince: Date | null;
}

/** The health of each of these endpoints, by id; an endpoint deleted meanwhile is left out. */
export async function endpointHealth(
  ctx: Pick<AppContext, "store" | "now">,
  ids: readonly string[],
): Promise<Map<string, EndpointHealthSummary>> {
  const since = new Date(ctx.now().getTime() - HEALTH_WINDOW_MS);
  const found = await ctx.store.endpointHealth.forEndpoints(ids, since);
  return new Map([...found].map(([id, health]) => [id, summarize(health)]));
}

/** One endpoint's health; what a new endpoint has when the store has no record of it. */
export async function healthOf(
  ctx: Pick<AppContext, "store" | "now">,
  endpoint: Endpoint,
): Promise<EndpointHealthSummary> {
  return (await endpointHealth(ctx, [endpoint.id])).get(endpoint.id) ?? noHealth(endpoint);
}

/** Health with nothing on record: an endpoint gone while its list was read, or just made. */
export function noHealth(endpoint: Pick<Endpoint, "enabled">): EndpointHealthSummary {
  return {
    state: endpoint.enabled ? "healthy" : "disabled",
    deliveries24h: { delivered: 0, failed: 0, pending: 0 },
    successRate: null,
    lastAttemptAt: null,
    lastStatus: null,
    consecutiveFailures: 0,
    failingSince: null,
  };
}

export function summarize(health: EndpointHealth): EndpointHealthSummary {
  const { delivered, failed, pending, retrying } = health.recent;
  const attempted = delivered + failed + retrying;
  return {
    state: !health.enabled ? "disabled" : health.consecutiveFailures > 0 ? "failing" : "healthy",
    deliveries24h: { delivered, failed, pending },
    successRate: attempted === 0 ? null : Math.round((delivered / attempted) * 10_000) / 10_000,
    lastAttemptAt: health.lastAttemptAt,
    lastStatus: health.lastStatusCode,
    consecutiveFailures: health.consecutiveFailures,
    failingSince: health.failingSince,
  };
}
