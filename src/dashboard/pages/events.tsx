/**
 * Dashboard pages over stored events: the list (`/dashboard`), one event
 * (`/dashboard/events/:id`, resent from event-resend.tsx) and one entity
 * (`/dashboard/entities/:id`). Routes load the data and hand it to the views beside this file.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { ENTITY_EVENTS_LIMIT } from "../../events/index.ts";
import type { SourceRegistry } from "../../sources/registry.ts";
import { encodeCursor, type TimeCursor } from "../../store/cursor.ts";
import { SearchTooSlow } from "../../store/errors.ts";
import type { EventFilter, Page, StoredEvent } from "../../store/events.ts";
import { eventsPerMinuteChart } from "../charts/index.ts";
import { errorPageResponse } from "../components/index.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { EntityPage } from "./entity.tsx";
import { entityState } from "./entity-state.ts";
import { EventPage, eventNotFound } from "./event-detail.tsx";
import {
  dateTimeLocalValue,
  displayOrigin,
  firstEventCurl,
  hasFilters,
  isPlausibleText,
  readEventListQuery,
} from "./event-display.ts";
import { EventListPage } from "./event-list.tsx";
import { eventResendPages, resentNotice } from "./event-resend.tsx";

export const EVENTS_PER_PAGE = 50;
/** Deliveries listed on an event's page; an event rarely goes to more endpoints. */
export const EVENT_DELIVERIES_SHOWN = 100;

interface ListedEvents {
  readonly page: Page<StoredEvent, TimeCursor>;
  /** Set when the database stopped a text search at this limit: nothing was listed. */
  readonly searchStoppedAfterMs: number | undefined;
}

const NOTHING_LISTED: ListedEvents = {
  page: { items: [], next: null },
  searchStoppedAfterMs: undefined,
};

/**
 * A page of events. A text search the database stopped keeps the page and its form, so
 * the reader can narrow it where they are.
 */
function listEvents(
  ctx: AppContext,
  filter: EventFilter,
  after: TimeCursor | undefined,
): Promise<ListedEvents> {
  return ctx.store.events.list(filter, { limit: EVENTS_PER_PAGE, after }).then(
    (page) => ({ page, searchStoppedAfterMs: undefined }),
    (error: unknown) => {
      if (!(error instanceof SearchTooSlow)) throw error;
      return { ...NOTHING_LISTED, searchStoppedAfterMs: error.ms };
    },
  );
}

/** 422 for filters that cannot be read (as GET /events), 503 for a search that was stopped. */
function listStatus(invalid: readonly string[], searchStoppedAfterMs: number | undefined): number {
  if (invalid.length > 0) return 422;
  return searchStoppedAfterMs === undefined ? 200 : 503;
}

export function eventsPages(ctx: AppContext, sources: SourceRegistry) {
  return new Elysia({ name: "dashboard.events" })
    .use(eventResendPages(ctx))
    .get("/dashboard", async ({ request, query }) => {
      const sourceNames = (await sources.list()).map((source) => source.name);
      const { filter, after, problems, invalid } = readEventListQuery(query, sourceNames);
      // Nothing is looked up for filters that cannot be read: the page says what is wrong.
      const [chart, { page, searchStoppedAfterMs }] = await Promise.all([
        // Not beside a text search: it reads every payload it passes, and the chart
        // would only wait on it (or on the lock it waits on) for nothing new.
        filter.text === undefined ? eventsPerMinuteChart(ctx, ctx.now(), sourceNames) : "",
        invalid.length > 0 ? NOTHING_LISTED : listEvents(ctx, filter, after),
      ]);
      return htmlResponse(
        <EventListPage
          events={page.items}
          nextCursor={page.next ? encodeCursor(page.next) : null}
          query={query}
          formValues={{
            ...query,
            since: filter.since ? dateTimeLocalValue(filter.since) : query.since,
            until: filter.until ? dateTimeLocalValue(filter.until) : query.until,
          }}
          problems={problems}
          invalid={invalid}
          filtered={hasFilters(filter)}
          firstPage={after === undefined}
          chart={chart}
          searchStoppedAfterMs={searchStoppedAfterMs}
          firstEventCommand={firstEventCurl(displayOrigin(request), ctx.now())}
          signingRequired={ctx.config.eventsWebhookSecret !== undefined}
          sourceNames={sourceNames}
        />,
        { status: listStatus(invalid, searchStoppedAfterMs) },
      );
    })
    .get("/dashboard/events/:id", async ({ params, request }) => {
      const event = isPlausibleText(params.id) ? await ctx.store.events.get(params.id) : undefined;
      if (!event) return eventNotFound(params.id);
      const deliveries = await ctx.store.deliveries.list(
        { eventId: event.id },
        { limit: EVENT_DELIVERIES_SHOWN },
      );
      const page = pageCookies(request);
      return htmlResponse(
        <EventPage
          event={event}
          deliveries={deliveries.items}
          moreDeliveries={deliveries.next !== null}
          csrfToken={page.csrfToken}
          notice={resentNotice(page.notice)}
        />,
        { headers: page.headers },
      );
    })
    .get("/dashboard/entities/:id", async ({ params }) => {
      const events = isPlausibleText(params.id)
        ? await ctx.store.events.forEntity(params.id, ENTITY_EVENTS_LIMIT)
        : [];
      if (events.length === 0) {
        return errorPageResponse({
          status: 404,
          title: "Entity not found",
          message: `No events are stored for entity "${params.id}". They may have passed the retention window.`,
          active: "events",
        });
      }
      return htmlResponse(
        <EntityPage entityId={params.id} events={events} state={entityState(events)} />,
      );
    });
}
