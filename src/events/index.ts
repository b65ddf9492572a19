/**
 * The management API over stored events: GET /events, /events/stream (live),
 * /events/:id, /entities/:id and /aggregates/:id (also spelled /aggrigates/:id, as
 * existing clients call it).
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { assertAdminApi } from "../http/auth.ts";
import { notFound } from "../http/errors.ts";
import { ErrorSchema } from "../http/openapi.ts";
import { QueryReader } from "../http/query.ts";
import { foldEntity, type StoredEntityEvent } from "../ingest/entities/aggregate.ts";
import { decodeTimeCursor, encodeCursor } from "../store/cursor.ts";
import type { StoredEvent } from "../store/events.ts";
import { readSource, readTimeWindow, readType } from "./filter.ts";
import { EventListQuery, EventSchema, eventJson } from "./model.ts";
import { EventStreamQuery, openEventStream, STREAM_DESCRIPTION } from "./stream.ts";
import type { EventStreamHub } from "./stream-hub.ts";

/** An entity's timeline is returned whole up to this many events. */
export const ENTITY_EVENTS_LIMIT = 10_000;

const AggregateSchema = t.Object({
  entity_id: t.String(),
  entity_type: t.Nullable(t.String()),
  state: t.Record(t.String(), t.Unknown()),
  version: t.Integer({ description: "how many events were folded" }),
  created_at: t.Nullable(t.String({ format: "date-time" })),
  updated_at: t.Nullable(t.String({ format: "date-time" })),
  deleted: t.Boolean(),
});

/** `sources` names the gateway's sources, which the filters take beside the built-in ones. */
export function eventsApi(
  ctx: AppContext,
  streams: EventStreamHub,
  sources: () => readonly string[],
) {
  const aggregate = async ({ params }: { params: { entity_id: string } }) => {
    const events = (await ctx.store.events.forEntity(params.entity_id, ENTITY_EVENTS_LIMIT)).filter(
      (event) => event.source === "entity",
    );
    if (events.length === 0) throw notFound(`no entity events for "${params.entity_id}"`);
    return { entity_id: params.entity_id, ...foldEntity(events.map(toFoldable)) };
  };
  const aggregateDoc = {
    response: { 200: AggregateSchema, 404: ErrorSchema },
    detail: {
      summary: "An entity's current state, folded from its events in time order",
      security: [{ adminToken: [] }],
    },
  };

  return (
    new Elysia({ name: "events", tags: ["Events"] })
      .onBeforeHandle(({ request }) => assertAdminApi(request, ctx.config.adminToken))
      .get(
        "/events",
        async ({ query }) => {
          const read = new QueryReader(query);
          const filter = {
            source: readSource(read, sources()),
            type: readType(read),
            entityId: read.text("entity_id"),
            ...readTimeWindow(read),
            text: read.text("q", 200),
          };
          const limit = read.integer("limit", { min: 1, max: 500, fallback: 50 });
          const after = read.cursor("cursor", decodeTimeCursor);
          read.done();
          const page = await ctx.store.events.list(filter, { limit, after });
          return {
            events: page.items.map(eventJson),
            next_cursor: page.next ? encodeCursor(page.next) : null,
          };
        },
        {
          query: EventListQuery,
          response: {
            200: t.Object({ events: t.Array(EventSchema), next_cursor: t.Nullable(t.String()) }),
            422: ErrorSchema,
            503: ErrorSchema,
          },
          detail: { summary: "List stored events, newest first", security: [{ adminToken: [] }] },
        },
      )
      .get("/events/stream", (context) => openEventStream(streams, sources(), context), {
        query: EventStreamQuery,
        response: { 422: ErrorSchema, 503: ErrorSchema },
        detail: {
          summary: "New events and delivery outcomes as they happen (server-sent events)",
          description: STREAM_DESCRIPTION,
          security: [{ adminToken: [] }],
          responses: {
            200: {
              description: "A text/event-stream that stays open",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
          },
        },
      })
      .get(
        "/events/:id",
        async ({ params }) => {
          const event = await ctx.store.events.get(params.id);
          if (!event) throw notFound(`no event with id "${params.id}"`);
          return eventJson(event);
        },
        {
          response: { 200: EventSchema, 404: ErrorSchema },
          detail: { summary: "One stored event", security: [{ adminToken: [] }] },
        },
      )
      .get(
        "/entities/:entity_id",
        async ({ params }) => {
          const events = await ctx.store.events.forEntity(params.entity_id, ENTITY_EVENTS_LIMIT);
          if (events.length === 0) throw notFound(`no events for entity "${params.entity_id}"`);
          return { entity_id: params.entity_id, events: events.map(eventJson) };
        },
        {
          response: {
            200: t.Object({ entity_id: t.String(), events: t.Array(EventSchema) }),
            404: ErrorSchema,
          },
          detail: {
            summary: "An entity's events, oldest first by time",
            security: [{ adminToken: [] }],
          },
        },
      )
      .get("/aggregates/:entity_id", aggregate, aggregateDoc)
      // The spelling existing clients of the original service call: answered, but not
      // advertised, so that no new client learns it.
      .get("/aggrigates/:entity_id", aggregate, {
        ...aggregateDoc,
        detail: { ...aggregateDoc.detail, hide: true },
      })
  );
}

/** A stored entity event as the fold reads it: the action and the body's `payload`. */
function toFoldable(event: StoredEvent): StoredEntityEvent {
  const body = event.payload as { payload?: unknown };
  return {
    entityType: event.entityType ?? "",
    action: event.action as StoredEntityEvent["action"],
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    payload: body.payload,
  };
}
