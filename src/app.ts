/**
 * Assembles hookyard from its features. Reading top to bottom: how a request is
 * handled, the routes that take webhooks in, the API over what is stored, the ways
 * events go out, and the dashboard.
 */
import { Elysia } from "elysia";
import type { AppContext } from "./context.ts";
import { dashboardErrorPages } from "./dashboard/error-pages.tsx";
import { dashboard } from "./dashboard/index.ts";
import { deliveryRoutes } from "./delivery/index.ts";
import { deliveryServices } from "./delivery/services.ts";
import { eventsApi } from "./events/index.ts";
import { eventStreamServices, liveStreams } from "./events/services.ts";
import type { StreamHubOptions } from "./events/stream-hub.ts";
import { HOOK_RAW_BODY_ROUTES, hookRoutes } from "./hooks/index.ts";
import { openapiDocs } from "./http/openapi.ts";
import { httpPipeline } from "./http/pipeline.ts";
import { ENTITY_RAW_BODY_ROUTES, entityIngest } from "./ingest/entities/index.ts";
import { GITHUB_RAW_BODY_ROUTES, githubIngest } from "./ingest/github/index.ts";
import { registerQueueMetrics } from "./ops/queue-metrics.ts";
import { retentionService } from "./ops/retention.ts";
import { opsRoutes } from "./ops/routes.ts";
import type { BackgroundService } from "./ops/service.ts";
import { recoveryRoutes } from "./recovery/index.ts";
import { relayRoutes } from "./relay/index.ts";
import { relayServices } from "./relay/services.ts";
import { sourceRoutes } from "./sources/index.ts";
import { SOURCE_RAW_BODY_ROUTES, sourceIngest } from "./sources/receive.ts";
import { SourceRegistry } from "./sources/registry.ts";
import { boundedStore } from "./store/bounded.ts";

/**
 * Seconds a connection may sit idle, or trickle a body (under 16 KB per period, Bun's
 * own rule), before Bun closes it. Explicit rather than Elysia's implicit 30 s: a client
 * that sends a byte a second (slowloris) would otherwise hold a connection and a request
 * for that long. 10 s is what GitHub waits for an answer before it gives up on a
 * delivery, so no sender is cut off that would not have given up anyway. A handler
 * slower than this is cut off too. Unfinished headers get Bun's fixed 10 s.
 */
export const IDLE_TIMEOUT_SECONDS = 10;

/**
 * How long a request waits for one database call before it answers 503 (PostgreSQL;
 * ../store/bounded.ts says why). Below IDLE_TIMEOUT_SECONDS, after which Bun cuts the
 * connection and the client gets no answer at all; ingestion's own bound on storing a
 * batch is shorter still. Queries take milliseconds: one taking seconds is a database in
 * trouble.
 */
export const REQUEST_QUERY_LIMIT_MS = 8_000;

export interface AppOptions {
  /** REQUEST_QUERY_LIMIT_MS unless given (tests shorten it). */
  readonly requestQueryLimitMs?: number;
  /** Limits of GET /events/stream (tests shorten them). */
  readonly streams?: Partial<StreamHubOptions>;
  /** IDLE_TIMEOUT_SECONDS unless given (tests shorten it). */
  readonly idleTimeoutSeconds?: number;
}

export function createApp(
  appCtx: AppContext,
  {
    requestQueryLimitMs = REQUEST_QUERY_LIMIT_MS,
    streams,
    idleTimeoutSeconds = IDLE_TIMEOUT_SECONDS,
  }: AppOptions = {},
) {
  const ctx: AppContext = { ...appCtx, store: boundedStore(appCtx.store, requestQueryLimitMs) };
  registerQueueMetrics(ctx);
  const hub = liveStreams(appCtx, ctx, streams);
  const sources = new SourceRegistry(ctx.store.sources, ctx.config.sources, ctx.log);
  const sourceNames = () => sources.knownNames();
  return (
    new Elysia({
      serve: {
        idleTimeout: idleTimeoutSeconds,
        // Well above MAX_BODY_SIZE: our own reader enforces the limit with a JSON 413,
        // and a body declared larger is refused before it is read. Bun's own (bare) 413
        // only meets bodies declared beyond this.
        maxRequestBodySize: Math.max(4 * ctx.config.maxBodySizeBytes, 128 * 1024 ** 2),
      },
    })
      .use(
        httpPipeline(ctx, {
          rawBodyRoutes: [
            ...GITHUB_RAW_BODY_ROUTES,
            ...ENTITY_RAW_BODY_ROUTES,
            ...HOOK_RAW_BODY_ROUTES,
            ...SOURCE_RAW_BODY_ROUTES,
          ],
          errorPage: dashboardErrorPages(ctx.config),
        }),
      )
      .use(openapiDocs(ctx.version))
      .use(opsRoutes(ctx))
      // In: webhooks from GitHub, app backends and Pub/Sub, and from any provider through
      // the sources of the gateway.
      .use(githubIngest(ctx))
      .use(entityIngest(ctx))
      .use(relayRoutes(ctx))
      .use(sourceIngest(ctx, sources))
      .use(sourceRoutes({ ...ctx, sources, adminToken: ctx.config.adminToken }))
      // Stored: the management API over events, entities and changes.
      .use(eventsApi(ctx, hub, sourceNames))
      // Out: endpoints and deliveries, recovering them after an outage, named hooks.
      .use(deliveryRoutes(ctx))
      .use(recoveryRoutes(ctx))
      .use(hookRoutes(ctx))
      .use(dashboard(ctx, hub, sources))
  );
}

export type App = ReturnType<typeof createApp>;

/** The workers and jobs that run beside the server in `hookyard serve`. */
export function createBackgroundServices(ctx: AppContext): BackgroundService[] {
  return [
    ...deliveryServices(ctx),
    ...relayServices(ctx),
    ...retentionService(ctx),
    ...eventStreamServices(ctx),
  ];
}
