/**
 * Retrying failed deliveries in bulk, across endpoints (the dashboard's Failures page):
 * every failed delivery a filter matches, not a page of them, is queued again, due now
 * with a fresh retry schedule, endpoint by endpoint as `recoverFailed` (./service.ts) does
 * one endpoint. Those of a disabled endpoint are skipped: queued, they would only wait.
 */
import type { AppContext } from "../context.ts";
import type { FailedFilter, TimeWindow } from "../store/recovery.ts";
import { inBatches, RECOVERY_BATCH } from "./service.ts";

/** What a bulk retry of a filter would do now, for the page that asks to confirm it. */
export interface BulkRetryPlan {
  /** Failed deliveries the filter matches. */
  readonly matching: number;
  /** Of those, the ones whose endpoint is enabled: what a retry would queue. */
  readonly retryable: number;
  /** Of those, the ones whose endpoint is disabled. */
  readonly skipped: number;
}

export interface BulkRetryResult {
  readonly queued: number;
  /** Failed deliveries left as they were because their endpoint is disabled. */
  readonly skipped: number;
}

/** The earliest creation time, for a filter without `since`: every delivery ever made. */
const BEGINNING = new Date(0);

interface Split {
  readonly enabled: readonly [string, number][];
  readonly skipped: number;
}

/** The filter's failures per endpoint, split into enabled endpoints and a count of the rest. */
async function failuresByEndpoint(ctx: AppContext, filter: FailedFilter): Promise<Split> {
  const [counts, endpoints] = await Promise.all([
    ctx.store.recovery.countFailedByEndpoint(filter),
    ctx.store.endpoints.list(),
  ]);
  const enabledIds = new Set(endpoints.filter((e) => e.enabled).map((e) => e.id));
  const enabled: [string, number][] = [];
  let skipped = 0;
  for (const [endpointId, count] of counts) {
    if (enabledIds.has(endpointId)) enabled.push([endpointId, count]);
    else skipped += count;
  }
  return { enabled, skipped };
}

export async function planBulkRetry(ctx: AppContext, filter: FailedFilter): Promise<BulkRetryPlan> {
  const { enabled, skipped } = await failuresByEndpoint(ctx, filter);
  const retryable = enabled.reduce((sum, [, count]) => sum + count, 0);
  return { matching: retryable + skipped, retryable, skipped };
}

/**
 * Queues every failed delivery the filter matches whose endpoint is enabled; answers how
 * many were queued and skipped. Those queued are pending then, so a second call while
 * they are attempted queues none of them again.
 */
export async function bulkRetry(ctx: AppContext, filter: FailedFilter): Promise<BulkRetryResult> {
  const { enabled, skipped } = await failuresByEndpoint(ctx, filter);
  const window: TimeWindow = { since: filter.since ?? BEGINNING, until: filter.until };
  const now = ctx.now();
  let queued = 0;
  for (const [endpointId] of enabled) {
    queued += await inBatches(ctx, (after) =>
      ctx.store.recovery.requeueFailed(
        endpointId,
        window,
        now,
        { limit: RECOVERY_BATCH, after },
        filter.eventType,
      ),
    );
  }
  return { queued, skipped };
}
