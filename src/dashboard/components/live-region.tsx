/**
 * Parts of a page that keep up with what happens, without reloading the page: the page
 * names what it listens for (`live` on <Layout>), wraps what changes in <LiveRegion>s, and
 * app.js, on a matching notice from /dashboard/stream (or every `pollSeconds` for what the
 * stream does not announce), fetches the page's own URL again and swaps in each region of
 * the same id. Everything outside the regions (filters being typed, a focused button,
 * the scroll position) stays as it is. The new markup is the server's, escaped as on any
 * page load: no data from the stream is ever put into the page.
 *
 * Usage:
 *   <Layout title="Events" live={{ topics: ["events"] }}>
 *     <FilterForm … />
 *     <LiveRegion id="events-table"><Table … /></LiveRegion>
 *   </Layout>
 */
import type { Children } from "@kitajs/html";
import { attr } from "./markup.ts";

/** What /dashboard/stream announces: a new event stored, or a delivery attempt recorded. */
export type LiveTopic = "events" | "deliveries";

export interface LiveSpec {
  /** The notices that make the page fetch its regions again. */
  readonly topics: readonly LiveTopic[];
  /** Only delivery notices about this endpoint, event or delivery count (all when unset). */
  readonly endpointId?: string;
  readonly eventId?: string;
  readonly deliveryId?: string;
  /** Also fetch the regions this often, for changes the stream does not announce. */
  readonly pollSeconds?: number;
}

/** The least time between two fetches of a page's regions, however many notices come. */
export const MIN_LIVE_GAP_SECONDS = 1;

export function LiveRegion({
  id,
  children,
}: {
  /** Unique on the page: the region of the fetched page with this id replaces it. */
  readonly id: string;
  readonly children?: Children;
}): JSX.Element {
  return (
    <div id={attr(id)} data-live-region>
      {children ?? ""}
    </div>
  );
}

/** The attributes <Layout> puts on <main> for app.js. */
export function liveAttributes(live: LiveSpec | undefined): Record<string, string | undefined> {
  if (live === undefined) return {};
  const poll =
    live.pollSeconds !== undefined && Number.isFinite(live.pollSeconds)
      ? String(Math.max(MIN_LIVE_GAP_SECONDS, Math.round(live.pollSeconds)))
      : undefined;
  return {
    "data-live-topics": live.topics.join(" "),
    "data-live-endpoint": live.endpointId === undefined ? undefined : attr(live.endpointId),
    "data-live-event": live.eventId === undefined ? undefined : attr(live.eventId),
    "data-live-delivery": live.deliveryId === undefined ? undefined : attr(live.deliveryId),
    "data-live-poll-seconds": poll,
  };
}
