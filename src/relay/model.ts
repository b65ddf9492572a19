/** The JSON shape of relay messages in the API, and its OpenAPI schema. */
import { t } from "elysia";
import type { RelayMessage } from "../store/relay.ts";

export const RELAY_STATUSES = ["queued", "held", "sent", "failed", "rejected"] as const;

export const RelayMessageSchema = t.Object({
  id: t.String(),
  project: t.Nullable(t.String()),
  event_id: t.Nullable(t.String()),
  event_type: t.Nullable(t.String()),
  status: t.String({ description: RELAY_STATUSES.join(", ") }),
  attempts: t.Integer(),
  next_attempt_at: t.Nullable(t.String({ format: "date-time" })),
  received_at: t.String({ format: "date-time" }),
  last_attempt_at: t.Nullable(t.String({ format: "date-time" })),
  sent_at: t.Nullable(t.String({ format: "date-time" })),
  svix_message_id: t.Nullable(t.String()),
  last_error: t.Nullable(t.String()),
  pubsub_message_id: t.Nullable(t.String()),
  payload: t.Unknown(),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function relayMessageJson(message: RelayMessage): typeof RelayMessageSchema.static {
  return {
    id: message.id,
    project: message.project,
    event_id: message.eventId,
    event_type: message.eventType,
    status: message.status,
    attempts: message.attemptCount,
    next_attempt_at: iso(message.nextAttemptAt),
    received_at: message.receivedAt.toISOString(),
    last_attempt_at: iso(message.lastAttemptAt),
    sent_at: iso(message.sentAt),
    svix_message_id: message.svixMessageId,
    last_error: message.lastError,
    pubsub_message_id: message.pubsubMessageId,
    payload: message.payload,
  };
}
