/**
 * The enabled endpoints that carry a payload filter (../delivery/payload-filter/), kept
 * in memory so that each event's filters are evaluated in this process, with no database
 * round trip on the ingest path. The stores insert an event's deliveries to filtered
 * endpoints only for the ids `matching` answered, and to the others by type, in SQL.
 *
 * Loaded on first use. This instance's own endpoint writes invalidate it, so the next
 * event sees them; another instance's (several on one PostgreSQL) are seen within
 * REFRESH_MS, read as they were until the reload in the background has finished.
 */
import { matchesEventType } from "../delivery/event-types.ts";
import {
  matchesFilter,
  type PayloadFilter,
  parseFilter,
} from "../delivery/payload-filter/index.ts";

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
  private routes: readonly Route[] | undefined;
  private loadedAt = 0;
  private loading: Promise<readonly Route[]> | undefined;
  /** Bumped by invalidate: a load that began before it is not kept. */
  private generation = 0;

  constructor(
    private readonly load: () => Promise<readonly FilteredEndpointRow[]>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** After an endpoint was created, changed or deleted here. */
  invalidate(): void {
    this.generation++;
    this.routes = undefined;
    this.loading = undefined;
  }

  /** The ids of the filtered endpoints that take `event`, by type and by filter. */
  async matching(event: RoutedEvent): Promise<readonly string[]> {
    const routes = await this.current();
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

  private current(): Promise<readonly Route[]> | readonly Route[] {
    if (this.routes === undefined) return this.reload();
    if (this.clock() - this.loadedAt > REFRESH_MS && this.loading === undefined) {
      // Stale: this event goes by the list as it was; the next ones by the fresh one.
      this.reload().catch(() => {});
    }
    return this.routes;
  }

  private reload(): Promise<readonly Route[]> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = this.load().then(
      (rows) => {
        const routes = rows.map(toRoute);
        if (generation === this.generation) {
          this.routes = routes;
          this.loadedAt = this.clock();
        }
        if (this.loading === loading) this.loading = undefined;
        return routes;
      },
      (error: unknown) => {
        if (this.loading === loading) this.loading = undefined;
        throw error;
      },
    );
    this.loading = loading;
    return loading;
  }
}

function toRoute(row: FilteredEndpointRow): Route {
  const parsed = parseFilter(row.filter);
  return { id: row.id, eventTypes: row.eventTypes, filter: parsed.ok ? parsed.filter : undefined };
}
