/**
 * An entity's folded state for its dashboard page, folded exactly as `/aggregates/:id`
 * folds it. Only entity events (`POST /webhooks/event`) take part: a hook's triggers or a
 * GitHub delivery filed under the same id have no create/update/delete meaning.
 */
import { type EntityAggregate, foldEntity } from "../../ingest/entities/aggregate.ts";
import { isEntityAction } from "../../ingest/entities/model.ts";
import type { StoredEvent } from "../../store/events.ts";

/** The folded state, or undefined when none of the events is an entity event. */
export function entityState(events: readonly StoredEvent[]): EntityAggregate | undefined {
  const folded = events.flatMap((event) =>
    event.source === "entity" && isEntityAction(event.action)
      ? [
          {
            entityType: event.entityType ?? "",
            action: event.action,
            occurredAt: event.occurredAt,
            receivedAt: event.receivedAt,
            // The body is stored as sent; the entity's fields are its `payload`.
            payload: (event.payload as { payload?: unknown } | null)?.payload,
          },
        ]
      : [],
  );
  return folded.length === 0 ? undefined : foldEntity(folded);
}
