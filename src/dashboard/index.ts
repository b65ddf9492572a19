/**
 * The dashboard: server-rendered pages under /dashboard, behind ADMIN_TOKEN as HTTP
 * Basic auth. Each feature contributes its pages from pages/; this file only assembles,
 * and serves the stylesheet and script every page loads.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import type { EventStreamHub } from "../events/stream-hub.ts";
import { assertAdmin } from "../http/auth.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { dashboardAssetResponse } from "./assets.ts";
import { errorPageResponse } from "./components/index.ts";
import { dashboardStream } from "./live-stream.ts";
import { changesPages } from "./pages/changes.tsx";
import { endpointsPages } from "./pages/endpoints.tsx";
import { eventsPages } from "./pages/events.tsx";
import { failuresPages } from "./pages/failures.tsx";
import { hooksPages } from "./pages/hooks.tsx";
import { relayPages } from "./pages/relay.tsx";
import { sourcesPages } from "./pages/sources.tsx";
import { siteNotice, withSiteNotice } from "./site-notice.tsx";

const isDashboardPath = (path: string) => path === "/dashboard" || path.startsWith("/dashboard/");
const ASSET_ROUTE = "/dashboard/assets/:name";

export function dashboard(ctx: AppContext, streams: EventStreamHub, sources: SourceRegistry) {
  const notice = siteNotice(ctx.config);
  return (
    new Elysia({ name: "dashboard" })
      // The stylesheet and script are the same in every install and hold no data: served to
      // anyone, so the login page a cancelled prompt leaves on screen is styled too.
      // Decided by the route that matched, not the path's spelling, so no path can reach a
      // page by dressing up as an asset.
      .onBeforeHandle({ as: "global" }, ({ request, path, route }) => {
        if (isDashboardPath(path) && route !== ASSET_ROUTE) {
          assertAdmin(request, ctx.config.adminToken, "dashboard");
        }
      })
      .onAfterHandle({ as: "global" }, ({ path, responseValue }) => {
        if (notice !== undefined && isDashboardPath(path) && responseValue instanceof Response) {
          return withSiteNotice(responseValue, notice);
        }
      })
      .get(
        ASSET_ROUTE,
        ({ params, request }) =>
          dashboardAssetResponse(params.name, request) ??
          new Response("no such asset\n", {
            status: 404,
            headers: {
              "content-type": "text/plain; charset=utf-8",
              "x-content-type-options": "nosniff",
            },
          }),
      )
      .use(dashboardStream(streams))
      .use(eventsPages(ctx, sources))
      .use(changesPages(ctx))
      .use(sourcesPages(ctx, sources))
      .use(endpointsPages(ctx))
      .use(failuresPages(ctx))
      .use(relayPages(ctx))
      .use(hooksPages(ctx))
      // A mistyped dashboard address gets a page with the navigation, not a JSON error.
      // Every page above is matched first: the router prefers static and :param routes
      // to a wildcard.
      .get("/dashboard/*", ({ path }) =>
        errorPageResponse({
          status: 404,
          title: "Page not found",
          message: `There is no dashboard page at ${path}.`,
        }),
      )
  );
}
