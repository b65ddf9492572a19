/**
 * The enabled endpoints that carry a payload filter (../delivery/payload-filter/), kept
 * in memory so that each event's filters are evaluated in this process, with no database
 * round trip on the ingest path. The stores insert an event's deliveries to filtered
 * endpoints only for the ids `matching` answered, and to the others by type, in SQL.
 *
 * This instance's own endpoint writes invalidate it, so the next event sees them; another
 * instance's (several on one PostgreSQL) are seen within REFRESH_MS
 * (../lib/refreshing-cache.ts).
 */
import { matchesEventType } from "../delivery/event-types.ts";
import {
  matchesFilter,
  type PayloadFilter,
  parseFilter,
} from "../delivery/payload-filter/index.ts";
import { RefreshingCache } from "../lib/refreshing-cache.ts";

/** How stale the list may grow before an event asks for it again. */
export const REFRESH_MS = 5_000;

export interface FilteredEndpointRow {
  readonly id: string;
  readonly eventTypes: readonly string[];
  /** As stored: read again here, and a filter that cannot be read takes nothing. */
  readonly filter: unknown;
}

interface Route {
  readonly id: string;
  readonly eventTypes: readonly string[];
  readonly filter: PayloadFilter | undefined;
}

/** What an event's filters are matched against. */
export interface RoutedEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

const NONE: readonly string[] = [];

export class FilteredEndpoints {
  private readonly routes: RefreshingCache<readonly Route[]>;

  constructor(load: () => Promise<readonly FilteredEndpointRow[]>) {
    this.routes = new RefreshingCache(async () => (await load()).map(toRoute), REFRESH_MS);
  }

  /** After an endpoint was created, changed or deleted here. */
  invalidate(): void {
    this.routes.invalidate();
  }

  /**
   * The ids of the filtered endpoints that take `event`, by type and by filter. At once
   * once the list is loaded: the ingest path awaits only the first load (or one after an
   * endpoint changed here), not a promise per event.
   */
  matching(event: RoutedEvent): readonly string[] | Promise<readonly string[]> {
    const routes = this.routes.get();
    return routes instanceof Promise
      ? routes.then((loaded) => matchingRoutes(loaded, event))
      : matchingRoutes(routes, event);
  }
}

function matchingRoutes(routes: readonly Route[], event: RoutedEvent): readonly string[] {
  if (routes.length === 0) return NONE;
  const ids: string[] = [];
  for (const route of routes) {
    if (route.filter === undefined || !matchesEventType(route.eventTypes, event.type)) continue;
    if (matchesFilter(route.filter, { payload: event.payload, headers: event.headers })) {
      ids.push(route.id);
    }
  }
  return ids;
}

function toRoute(row: FilteredEndpointRow): Route {
  const parsed = parseFilter(row.filter);
  return { id: row.id, eventTypes: row.eventTypes, filter: parsed.ok ? parsed.filter : undefined };
}
