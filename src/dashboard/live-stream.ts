/**
 * GET /dashboard/stream: what live pages listen to (components/live-region.tsx). The same
 * hub as GET /events/stream, told to send notices only (an event's id, source and type; a
 * delivery's outcome), behind the dashboard's own auth: a browser's EventSource sends the
 * Basic credentials of the page, not the API's bearer token.
 */
import { Elysia } from "elysia";
import { streamResponse } from "../events/stream.ts";
import type { EventStreamHub } from "../events/stream-hub.ts";

export const DASHBOARD_STREAM_PATH = "/dashboard/stream";

export function dashboardStream(hub: EventStreamHub) {
  return new Elysia({ name: "dashboard.stream" }).get(
    DASHBOARD_STREAM_PATH,
    ({ request, server }) =>
      streamResponse(hub, {
        filter: {},
        // A page fetches its whole view when told; nothing missed needs replaying.
        lastEventId: undefined,
        shape: "notice",
        request,
        server,
      }),
  );
}
