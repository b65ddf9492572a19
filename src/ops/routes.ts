/** Health, readiness and metrics: never behind ADMIN_TOKEN, so probes and scrapers need no secret. */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { jsonResponse } from "../http/errors.ts";
import { bounded } from "../store/bounded.ts";

/** A readiness probe must answer before the orchestrator gives up on it. */
const READY_TIMEOUT_MS = 2_000;

export function opsRoutes(ctx: AppContext) {
  return new Elysia({ name: "ops", tags: ["Operations"] })
    .get("/healthz", () => ({ status: "ok" as const }), {
      detail: { summary: "Liveness: 200 while the process runs" },
    })
    .get(
      "/readyz",
      async () => {
        try {
          await bounded(ctx.store.ping(), READY_TIMEOUT_MS, "readiness check");
          return jsonResponse({ status: "ready" });
        } catch (error) {
          ctx.log.warn("not ready: the database does not answer", { error });
          return jsonResponse(
            { error: "the database does not answer", details: [{ status: "not ready" }] },
            503,
          );
        }
      },
      { detail: { summary: "Readiness: 200 when the database answers, else 503" } },
    )
    .get(
      "/metrics",
      async () =>
        new Response(await ctx.metrics.registry.render(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
      { detail: { summary: "Prometheus metrics" } },
    );
}
