/**
 * Dashboard pages over stored events: the list (`/dashboard`), one event
 * (`/dashboard/events/:id`) and one entity (`/dashboard/entities/:id`). Routes load the
 * data and hand it to the views beside this file.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { ENTITY_EVENTS_LIMIT } from "../../events/index.ts";
import { encodeCursor } from "../../store/cursor.ts";
import { SearchTooSlow } from "../../store/errors.ts";
import { errorPageResponse } from "../components/index.ts";
import { htmlResponse } from "../html.ts";
import { EntityPage } from "./entity.tsx";
import { entityState } from "./entity-state.ts";
import { EventPage } from "./event-detail.tsx";
import {
  displayOrigin,
  firstEventCurl,
  hasFilters,
  isPlausibleText,
  readEventListQuery,
} from "./event-display.ts";
import { EventListPage } from "./event-list.tsx";

export const EVENTS_PER_PAGE = 50;
/** Deliveries listed on an event's page; an event rarely goes to more endpoints. */
export const EVENT_DELIVERIES_SHOWN = 100;

export function eventsPages(ctx: AppContext) {
  return new Elysia({ name: "dashboard.events" })
    .get("/dashboard", async ({ request, query }) => {
      const { filter, after, problems } = readEventListQuery(query);
      // A text search the database stopped keeps the page and its form, so the reader can
      // narrow it where they are.
      const { page, searchStoppedAfterMs } = await ctx.store.events
        .list(filter, { limit: EVENTS_PER_PAGE, after })
        .then(
          (page) => ({ page, searchStoppedAfterMs: undefined }),
          (error: unknown) => {
            if (!(error instanceof SearchTooSlow)) throw error;
            return { page: { items: [], next: null }, searchStoppedAfterMs: error.ms };
          },
        );
      return htmlResponse(
        <EventListPage
          events={page.items}
          nextCursor={page.next ? encodeCursor(page.next) : null}
          query={query}
          problems={problems}
          filtered={hasFilters(filter)}
          firstPage={after === undefined}
          searchStoppedAfterMs={searchStoppedAfterMs}
          firstEventCommand={firstEventCurl(displayOrigin(request), ctx.now())}
          signingRequired={ctx.config.eventsWebhookSecret !== undefined}
        />,
        searchStoppedAfterMs === undefined ? {} : { status: 503 },
      );
    })
    .get("/dashboard/events/:id", async ({ params }) => {
      const event = isPlausibleText(params.id) ? await ctx.store.events.get(params.id) : undefined;
      if (!event) {
        return errorPageResponse({
          status: 404,
          title: "Event not found",
          message: `There is no event with id "${params.id}". It may have passed the retention window.`,
          active: "events",
        });
      }
      const deliveries = await ctx.store.deliveries.list(
        { eventId: event.id },
        { limit: EVENT_DELIVERIES_SHOWN },
      );
      return htmlResponse(
        <EventPage
          event={event}
          deliveries={deliveries.items}
          moreDeliveries={deliveries.next !== null}
        />,
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
