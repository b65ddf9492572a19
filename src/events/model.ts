/** The JSON shapes of stored events in the management API, and their OpenAPI schemas. */
import { t } from "elysia";
import { SEARCH_LIMIT_MS } from "../store/bounded.ts";
import type { StoredEvent } from "../store/events.ts";
import { SINCE_PARAMETER, SOURCE_PARAMETER, TYPE_PARAMETER, UNTIL_PARAMETER } from "./filter.ts";

export const EventSchema = t.Object({
  id: t.String(),
  source: t.String({ description: SOURCE_PARAMETER }),
  type: t.String({ examples: ["github.push", "task.update"] }),
  entity_type: t.Nullable(t.String()),
  entity_id: t.Nullable(t.String()),
  action: t.Nullable(t.String()),
  occurred_at: t.String({ format: "date-time" }),
  received_at: t.String({ format: "date-time" }),
  payload: t.Unknown(),
  headers: t.Record(t.String(), t.String(), {
    description: "the request's headers as received, without credentials",
  }),
  body: t.Nullable(
    t.String({
      description:
        "the request body exactly as received, for events from a source (/in/<name>); null where the payload is the body",
    }),
  ),
});

export type EventJson = typeof EventSchema.static;

export function eventJson(event: StoredEvent): EventJson {
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    entity_type: event.entityType,
    entity_id: event.entityId,
    action: event.action,
    occurred_at: event.occurredAt.toISOString(),
    received_at: event.receivedAt.toISOString(),
    payload: event.payload,
    headers: { ...event.headers },
    body: event.body,
  };
}

export const EventListQuery = t.Object({
  source: t.Optional(t.String({ description: SOURCE_PARAMETER })),
  type: t.Optional(t.String({ description: TYPE_PARAMETER })),
  entity_id: t.Optional(t.String()),
  since: t.Optional(t.String({ description: `received ${SINCE_PARAMETER}` })),
  until: t.Optional(t.String({ description: `received ${UNTIL_PARAMETER}` })),
  q: t.Optional(
    t.String({
      description: `free text in the type, entity id or payload; a search that takes over ${SEARCH_LIMIT_MS / 1000} s is stopped (503): narrow it with the other filters`,
    }),
  ),
  limit: t.Optional(t.String({ description: "1-500, default 50" })),
  cursor: t.Optional(t.String({ description: "next_cursor from the previous page" })),
});
