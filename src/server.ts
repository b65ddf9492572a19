/**
 * `hookyard serve`: check the database, migrate, listen, start the background services,
 * and on SIGTERM or SIGINT stop in order: no new connections, in-flight requests and
 * delivery attempts finish (bounded by SHUTDOWN_TIMEOUT), then the database is closed.
 * A start-up that fails or is aborted closes what it opened, briefly, and throws.
 */
import { type App, type AppOptions, createApp, createBackgroundServices } from "./app.ts";
import { type Config, ConfigError } from "./config.ts";
import type { AppContext } from "./context.ts";
import { untilAborted } from "./lib/abortable.ts";
import { timeLimit } from "./lib/time-limit.ts";
import type { BackgroundService } from "./ops/service.ts";
import { startupWarnings } from "./ops/startup-warnings.ts";
import { checkConnection } from "./store/open.ts";

export interface RunningServer {
  readonly url: URL;
  readonly port: number;
  /** Idempotent; resolves when everything is stopped and the store closed. */
  stop(): Promise<void>;
}

type HttpServer = NonNullable<App["server"]>;

/**
 * How long an abandoned start-up may spend closing what it opened: a signal must stop
 * hookyard within a second even while the database hangs (closing a PostgreSQL pool
 * that never connected waits out its 5 s end() timeout).
 */
export const ABANDONED_START_CLOSE_MS = 500;

/**
 * @param signal aborts start-up at whatever step it is in (a signal arrived): the
 *   promise then rejects with `Aborted` (lib/abortable.ts) once what was opened is closed.
 */
export async function startServer(
  ctx: AppContext,
  appOptions: AppOptions = {},
  signal?: AbortSignal,
): Promise<RunningServer> {
  let server: HttpServer | undefined;
  const services: BackgroundService[] = [];
  try {
    await untilAborted(checkConnection(ctx.store, ctx.config.database), signal);
    const { applied } = await untilAborted(ctx.store.migrate(), signal);
    if (applied.length > 0) ctx.log.info("migrations applied", { applied });
    server = listen(createApp(ctx, appOptions), ctx.config);
    for (const { msg, fields } of startupWarnings(ctx.config)) ctx.log.warn(msg, fields);
    for (const service of createBackgroundServices(ctx)) {
      services.push(service);
      await untilAborted(service.start(), signal);
    }
  } catch (error) {
    await settlesWithin(abandon(ctx, server, services), ABANDONED_START_CLOSE_MS);
    throw error;
  }
  const http = server;
  ctx.log.info("hookyard is listening", {
    url: http.url.href,
    host_origin: ctx.config.hostOrigin,
    database: ctx.store.dialect,
    version: ctx.version,
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= shutdown(
      ctx,
      () => http.stop(false),
      () => http.stop(true),
      services,
    );
    return stopping;
  };
  return { url: http.url, port: http.port ?? ctx.config.port, stop };
}

/**
 * Elysia asks Bun for SO_REUSEPORT unless told otherwise: a second hookyard on a port
 * already in use then started too, the kernel shared the connections between the two,
 * and both wrote to the same SQLite file. A port in use is refused instead.
 */
function listen(app: App, config: Config): HttpServer {
  try {
    app.listen({ hostname: config.host, port: config.port, reusePort: false });
  } catch (error) {
    throw listenFailure(error, config) ?? error;
  }
  if (!app.server) throw new Error("the HTTP server did not start");
  return app.server;
}

/** An address or port that HOST or PORT can fix, as the ConfigError that says how. */
function listenFailure(error: unknown, { host, port }: Config): ConfigError | undefined {
  switch ((error as { code?: unknown }).code) {
    case "EADDRINUSE":
      return new ConfigError(
        "PORT",
        `${port} is already in use on ${host} (by another hookyard, or another program); stop it or choose another PORT`,
      );
    case "EADDRNOTAVAIL":
      return new ConfigError("HOST", `${host} is not an address of this machine`);
    case "EACCES":
      return new ConfigError(
        "PORT",
        `${port} needs privileges this user lacks; choose one above 1023`,
      );
    default:
      return undefined;
  }
}

async function abandon(
  ctx: AppContext,
  server: HttpServer | undefined,
  services: readonly BackgroundService[],
): Promise<void> {
  await Promise.allSettled([server?.stop(true), ...services.map((service) => service.stop())]);
  await ctx.store.close();
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
