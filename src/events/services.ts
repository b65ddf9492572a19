/**
 * The live streams' hub, one per app: made with the routes (createApp), and stopped with
 * the background services, so that a shutdown ends open streams instead of waiting the
 * whole SHUTDOWN_TIMEOUT on them (a stream never finishes by itself).
 */
import type { AppContext } from "../context.ts";
import type { BackgroundService } from "../ops/service.ts";
import { EventStreamHub, type StreamHubOptions } from "./stream-hub.ts";

const hubs = new WeakMap<AppContext, EventStreamHub>();

/**
 * @param appCtx the context as `hookyard serve` hands it to createApp and to
 *   createBackgroundServices, which finds the hub by it.
 * @param ctx the context the routes see (its store bounded per call).
 */
export function liveStreams(
  appCtx: AppContext,
  ctx: AppContext,
  options: Partial<StreamHubOptions> = {},
): EventStreamHub {
  const hub = new EventStreamHub(ctx.store, ctx.log, options);
  hubs.set(appCtx, hub);
  return hub;
}

export function eventStreamServices(appCtx: AppContext): BackgroundService[] {
  const hub = hubs.get(appCtx);
  return hub ? [hub] : [];
}
