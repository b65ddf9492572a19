/**
 * A checked entity-event body → the event hookyard stores: which entity, what happened,
 * when, and the event type endpoints subscribe to. Pure; the route answers 422 with the
 * problems when there are any.
 */
import type { JsonObject } from "../../lib/json.ts";
import { MAX_ENTITY_ID_LENGTH } from "../../store/events.ts";
import {
  describeValue,
  type EntityAction,
  type EntityEventBody,
  type FieldProblem,
  parseDateTime,
  validateEntityEvent,
} from "./model.ts";

/** `task.update`, `component.create`… */
export type EntityEventType = `${string}.${EntityAction}`;

export interface EntityEvent {
  readonly entityType: string;
  readonly entityId: string;
  readonly action: EntityAction;
  /** The sender's `time`: aggregates apply events in this order, not in arrival order. */
  readonly occurredAt: Date;
  readonly type: EntityEventType;
  /** As sent; null when the sender did not say (not the same as "nothing changed"). */
  readonly modifiedFields: readonly string[] | null;
  readonly payload: Readonly<JsonObject>;
}

export type EntityEventResult =
  | { readonly ok: true; readonly event: EntityEvent }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * The entity id is `id`, or `payload.id` on create (a create usually carries the whole
 * record, id included). Update and delete must say `id`: their payload holds the changed
 * fields, and guessing the entity from it would file an update under the wrong one.
 *
 * `payload.id` may be a string or an integer (many backends use integer keys; 42 is
 * read as "42"); null counts as absent. Anything else is refused on every action, and so
 * is a `payload.id` that disagrees with `id`: the payload is merged into the aggregate,
 * where it would contradict the entity it is filed under.
 */
export function toEntityEvent(valid: EntityEventBody): EntityEventResult {
  const occurred = parseDateTime(valid.time);
  if (!occurred.ok) return failure({ field: "time", message: occurred.reason });

  const fromPayload = payloadId(valid.payload.id);
  if (fromPayload.kind === "invalid") {
    return failure({ field: "payload.id", message: fromPayload.message });
  }
  const payloadEntityId = fromPayload.kind === "id" ? fromPayload.id : undefined;
  if (valid.id !== undefined && payloadEntityId !== undefined && valid.id !== payloadEntityId) {
    return failure({
      field: "id",
      message: `"${valid.id}" disagrees with payload.id "${payloadEntityId}"`,
    });
  }

  const entityId = valid.action === "create" ? (valid.id ?? payloadEntityId) : valid.id;
  if (entityId === undefined) {
    return failure({ field: "id", message: missingIdMessage(valid.action, payloadEntityId) });
  }

  return {
    ok: true,
    event: {
      entityType: valid.entity_type,
      entityId,
      action: valid.action,
      occurredAt: occurred.date,
      type: `${valid.entity_type}.${valid.action}`,
      modifiedFields: valid.modified_fields ?? null,
      payload: valid.payload,
    },
  };
}

/** Validation and normalization in one: what the route calls with the parsed JSON body. */
export function parseEntityEvent(body: unknown): EntityEventResult {
  const validation = validateEntityEvent(body);
  return validation.ok ? toEntityEvent(validation.value) : validation;
}

const failure = (problem: FieldProblem): EntityEventResult => ({ ok: false, problems: [problem] });

function missingIdMessage(action: EntityAction, payloadEntityId: string | undefined): string {
  if (action === "create") return "required, as id or payload.id";
  return payloadEntityId === undefined
    ? "required for update and delete"
    : "required for update and delete (payload.id is only read on create)";
}

type PayloadId =
  | { readonly kind: "absent" }
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "invalid"; readonly message: string };

function payloadId(value: unknown): PayloadId {
  if (value === undefined || value === null) return { kind: "absent" };
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    return { kind: "id", id: String(value) };
  }
  if (typeof value === "string" && value !== "" && value.length <= MAX_ENTITY_ID_LENGTH) {
    return { kind: "id", id: value };
  }
  return {
    kind: "invalid",
    message: `expected a non-empty string (at most ${MAX_ENTITY_ID_LENGTH} characters) or an integer, got ${describeValue(value)}`,
  };
}
