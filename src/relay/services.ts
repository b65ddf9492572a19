/**
 * The relay's background work. Without SVIX_TOKEN there is none: messages are kept as
 * `held`. With it, held messages are released at start and the worker sends.
 */
import type { AppContext } from "../context.ts";
import type { BackgroundService } from "../ops/service.ts";
import { SvixSender } from "./svix-sender.ts";
import { createRelayWorker } from "./worker.ts";

export function relayServices(ctx: AppContext): BackgroundService[] {
  const token = ctx.config.svixToken;
  if (token === undefined) return [];
  const worker = createRelayWorker(
    ctx,
    new SvixSender({
      token,
      serverUrl: ctx.config.svixServerUrl,
      timeoutMs: ctx.config.deliveryTimeoutMs,
    }),
  );
  return [
    {
      name: "relay",
      async start() {
        const released = await ctx.store.relay.releaseHeld(ctx.now());
        if (released > 0) ctx.log.info("held relay messages released", { count: released });
        await worker.start();
      },
      stop: () => worker.stop(),
    },
  ];
}
