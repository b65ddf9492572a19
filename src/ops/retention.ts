/**
 * Retention: deletes events (with their deliveries and attempts) and finished relay
 * messages received longer ago than RETENTION. Runs on RETENTION_CRON inside `serve`
 * and once from `hookyard prune`. `changes` rows are kept forever.
 */
import { Cron } from "croner";
import type { AppContext } from "../context.ts";
import { bounded } from "../store/bounded.ts";
import type { BackgroundService } from "./service.ts";

/** Small batches, each its own short transaction, so ingestion never waits long behind a prune. */
export const PRUNE_BATCH_SIZE = 1000;

/**
 * A batch takes milliseconds to a few seconds; one not done in a minute is a query that
 * will never answer (../store/bounded.ts). Unbounded, the run never ended, and croner
 * skips every later tick while a run is going: retention stopped for good.
 */
export const PRUNE_BATCH_LIMIT_MS = 60_000;

export interface PruneOptions {
  /** PRUNE_BATCH_LIMIT_MS unless given (tests shorten it). */
  readonly batchLimitMs?: number;
}

export type PruneReport =
  | {
      readonly status: "done";
      readonly cutoff: string;
      readonly deleted: { readonly events: number; readonly relay_messages: number };
    }
  /** Another instance on the same database was pruning; nothing was done here. */
  | { readonly status: "skipped"; readonly cutoff: string };

export async function pruneOnce(
  ctx: AppContext,
  olderThanMs: number,
  { batchLimitMs = PRUNE_BATCH_LIMIT_MS }: PruneOptions = {},
): Promise<PruneReport> {
  const cutoff = new Date(ctx.now().getTime() - olderThanMs);
  const { retention } = ctx.store;
  const run = await ctx.store.tryExclusive("retention", async () => ({
    events: await deleteInBatches("deleting old events", batchLimitMs, (limit) =>
      retention.deleteEventsBefore(cutoff, limit),
    ),
    relay_messages: await deleteInBatches("deleting old relay messages", batchLimitMs, (limit) =>
      retention.deleteRelayMessagesBefore(cutoff, limit),
    ),
  }));
  if (!run.ran) {
    ctx.metrics.retentionRuns.inc({ outcome: "skipped" });
    ctx.log.info("retention skipped: another instance is pruning", { cutoff });
    return { status: "skipped", cutoff: cutoff.toISOString() };
  }
  ctx.metrics.retentionRuns.inc({ outcome: "done" });
  for (const [table, count] of Object.entries(run.value)) {
    ctx.metrics.retentionDeleted.inc({ table }, count);
  }
  ctx.log.info("retention done", { cutoff, deleted: run.value });
  return { status: "done", cutoff: cutoff.toISOString(), deleted: run.value };
}

async function deleteInBatches(
  what: string,
  batchLimitMs: number,
  deleteBatch: (limit: number) => Promise<number>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await bounded(deleteBatch(PRUNE_BATCH_SIZE), batchLimitMs, what);
    total += deleted;
    if (deleted < PRUNE_BATCH_SIZE) return total;
  }
}

export function retentionService(ctx: AppContext): BackgroundService[] {
  let running: Promise<unknown> | undefined;
  // `protect` skips a tick while the previous run is still going.
  const job = new Cron(ctx.config.retentionCron, { paused: true, protect: true }, async () => {
    running = pruneOnce(ctx, ctx.config.retentionMs).catch((error) => {
      ctx.metrics.retentionRuns.inc({ outcome: "error" });
      ctx.log.error("retention failed", { error });
    });
    await running;
  });
  return [
    {
      name: "retention",
      async start() {
        job.resume();
      },
      async stop() {
        job.stop();
        await running;
      },
    },
  ];
}
