/** The retention cron (stub: filled in by issue 4's work). */
import type { AppContext } from "../context.ts";
import type { BackgroundService } from "./service.ts";

export function retentionService(_ctx: AppContext): BackgroundService[] {
  return [];
}

export interface PruneReport {
  readonly cutoff: string;
  readonly deleted: Readonly<Record<string, number>>;
}

/** Deletes what was received before now − `olderThanMs`, once (stub until issue 4). */
export async function pruneOnce(ctx: AppContext, olderThanMs: number): Promise<PruneReport> {
  return { cutoff: new Date(ctx.now().getTime() - olderThanMs).toISOString(), deleted: {} };
}
