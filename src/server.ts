/**
 * `hookyard serve`: migrate, listen, start the background services, and on SIGTERM or
 * SIGINT stop in order: no new connections, in-flight requests and delivery attempts
 * finish (bounded by SHUTDOWN_TIMEOUT), then the database is closed.
 */
import { type AppOptions, createApp, createBackgroundServices } from "./app.ts";
import type { AppContext } from "./context.ts";
import { timeLimit } from "./lib/time-limit.ts";
import type { BackgroundService } from "./ops/service.ts";

export interface RunningServer {
  readonly url: URL;
  readonly port: number;
  /** Idempotent; resolves when everything is stopped and the store closed. */
  stop(): Promise<void>;
}

export async function startServer(
  ctx: AppContext,
  appOptions: AppOptions = {},
): Promise<RunningServer> {
  const { applied } = await ctx.store.migrate();
  if (applied.length > 0) ctx.log.info("migrations applied", { applied });
  warnAboutOpenDoors(ctx);

  const app = createApp(ctx, appOptions);
  app.listen({ hostname: ctx.config.host, port: ctx.config.port });
  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");

  const services = createBackgroundServices(ctx);
  for (const service of services) await service.start();
  ctx.log.info("hookyard is listening", {
    url: server.url.href,
    database: ctx.store.dialect,
    version: ctx.version,
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= shutdown(
      ctx,
      () => server.stop(false),
      () => server.stop(true),
      services,
    );
    return stopping;
  };
  return { url: server.url, port: server.port ?? ctx.config.port, stop };
}

async function shutdown(
  ctx: AppContext,
  drainHttp: () => Promise<void>,
  closeHttp: () => Promise<void>,
  services: readonly BackgroundService[],
): Promise<void> {
  ctx.log.info("shutting down", { timeout_ms: ctx.config.shutdownTimeoutMs });
  const drained = await settlesWithin(
    Promise.all([drainHttp(), ...services.map((service) => service.stop())]),
    ctx.config.shutdownTimeoutMs,
  );
  if (!drained) {
    // Unfinished attempts keep their lease; another instance or the next start retries them.
    ctx.log.warn("shutdown timeout reached; closing what is still open");
    await closeHttp();
  }
  await ctx.store.close();
  ctx.log.info("stopped");
}

function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  return timeLimit(settled, ms, () => false);
}

function warnAboutOpenDoors(ctx: AppContext): void {
  const { config, log } = ctx;
  if (config.adminToken === undefined) {
    log.warn(
      "ADMIN_TOKEN is not set: the management API and dashboard are open to anyone who can reach them",
    );
  }
  if (config.githubWebhookSecrets.length === 0) {
    log.warn("GITHUB_WEBHOOK_SECRET is not set: unsigned GitHub deliveries are accepted");
  }
  if (config.svixToken === undefined) {
    log.warn("SVIX_TOKEN is not set: relay messages are kept as held until it is set");
  }
}
