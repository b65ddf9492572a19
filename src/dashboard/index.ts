/**
 * The dashboard: server-rendered pages under /dashboard, behind ADMIN_TOKEN as HTTP
 * Basic auth. Each feature contributes its pages from pages/; this file only assembles.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { assertAdmin } from "../http/auth.ts";
import { changesPages } from "./pages/changes.tsx";
import { endpointsPages } from "./pages/endpoints.tsx";
import { eventsPages } from "./pages/events.tsx";
import { hooksPages } from "./pages/hooks.tsx";
import { relayPages } from "./pages/relay.tsx";

export function dashboard(ctx: AppContext) {
  return new Elysia({ name: "dashboard" })
    .onBeforeHandle({ as: "global" }, ({ request, path }) => {
      if (path === "/dashboard" || path.startsWith("/dashboard/")) {
        assertAdmin(request, ctx.config.adminToken, "dashboard");
      }
    })
    .use(eventsPages(ctx))
    .use(changesPages(ctx))
    .use(endpointsPages(ctx))
    .use(relayPages(ctx))
    .use(hooksPages(ctx));
}
