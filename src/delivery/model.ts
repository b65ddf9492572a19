/** The JSON shapes of endpoints, deliveries and attempts in the management API, with their OpenAPI schemas. */
import { t } from "elysia";
import { EndpointHealthFields, healthJson } from "../endpoint-health/model.ts";
import type { EndpointHealthSummary } from "../endpoint-health/service.ts";
import { SINCE_PARAMETER, TYPE_PARAMETER, UNTIL_PARAMETER } from "../events/filter.ts";
import type { Delivery, DeliveryAttempt } from "../store/deliveries.ts";
import type { Endpoint } from "../store/endpoints.ts";
import { unsignedHeaders } from "./request.ts";

const EndpointFields = {
  id: t.String(),
  // No `format`: answers are checked against this schema, and a stored URL a format
  // checker disagrees with must never make the endpoint unlistable. Input is checked by
  // ./endpoints-service.ts, which stores the URL as the WHATWG parser writes it.
  url: t.String({ description: "http(s), as the WHATWG URL parser normalises it" }),
  description: t.String(),
  event_types: t.Array(t.String(), {
    description:
      '"*" for every type, "github.*" for a prefix, or exact types; [] also means every type',
  }),
  filter: t.Nullable(
    t.Unknown({
      description:
        "a payload filter (docs/filters.md): the events of its types it receives; null: all of them",
    }),
  ),
  enabled: t.Boolean(),
  disabled_reason: t.Nullable(
    t.String({
      description: "why hookyard disabled it (e.g. a 410); null when enabled or disabled by hand",
    }),
  ),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
  previous_secret_expires_at: t.Nullable(
    t.String({
      format: "date-time",
      description:
        "until when deliveries are also signed with the secret the last rotation replaced (SECRET_ROTATION_OVERLAP); null when never rotated",
    }),
  ),
  ...EndpointHealthFields,
};

/** In lists: never the secret. */
export const EndpointSchema = t.Object(EndpointFields);

/** On create, on its own page and after a rotation: with the signing secret. */
export const EndpointWithSecretSchema = t.Object({
  ...EndpointFields,
  secret: t.String({ description: "whsec_…: verify deliveries with it (svix Webhook.verify)" }),
});

export type EndpointJson = typeof EndpointSchema.static;
export type EndpointWithSecretJson = typeof EndpointWithSecretSchema.static;

export function endpointJson(endpoint: Endpoint, health: EndpointHealthSummary): EndpointJson {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    event_types: [...endpoint.eventTypes],
    filter: endpoint.filter ?? null,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
    previous_secret_expires_at: iso(endpoint.previousSecretUntil ?? null),
    ...healthJson(health),
  };
}

export function endpointWithSecretJson(
  endpoint: Endpoint,
  health: EndpointHealthSummary,
): EndpointWithSecretJson {
  return { ...endpointJson(endpoint, health), secret: endpoint.secret };
}

/** For the OpenAPI document only: bodies are validated by ./endpoints-service.ts, naming every bad field. */
export const NewEndpointRequest = t.Object({
  url: t.String({
    format: "uri",
    description:
      "http(s); private, loopback and link-local hosts need ALLOW_PRIVATE_ENDPOINTS=true",
    examples: ["https://example.com/webhooks"],
  }),
  event_types: t.Optional(
    t.Array(t.String(), { examples: [["task.update", "github.*"]], description: 'default ["*"]' }),
  ),
  filter: t.Optional(
    t.Nullable(
      t.Unknown({
        description:
          "a payload filter with $eq $neq $in $nin $gt $gte $lt $lte $exist $regex $and $or over dotted paths and headers.<name> (docs/filters.md); null or {} removes it",
        examples: [{ "data.object.amount_paid": { $gte: 1000 }, "headers.x-mode": "live" }],
      }),
    ),
  ),
  description: t.Optional(t.String({ maxLength: 1000 })),
  secret: t.Optional(
    t.String({ description: "whsec_ + base64 (16-128 bytes); generated when absent" }),
  ),
  enabled: t.Optional(t.Boolean({ description: "default true" })),
});

export const EndpointPatchRequest = t.Partial(NewEndpointRequest);

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

export const DeliverySchema = t.Object({
  id: t.String(),
  event_id: t.String(),
  endpoint_id: t.String(),
  status: t.Union([t.Literal("pending"), t.Literal("delivered"), t.Literal("failed")]),
  attempt_count: t.Integer({
    description: "attempts since it was created or last retried by hand",
  }),
  next_attempt_at: t.Nullable(t.String({ format: "date-time" })),
  last_status_code: t.Nullable(t.Integer()),
  last_error: t.Nullable(t.String()),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
  delivered_at: t.Nullable(t.String({ format: "date-time" })),
});

export const AttemptSchema = t.Object({
  id: t.String(),
  attempted_at: t.String({ format: "date-time" }),
  status_code: t.Nullable(t.Integer({ description: "null when no response came" })),
  duration_ms: t.Integer(),
  error: t.Nullable(t.String()),
  response_body: t.Nullable(t.String({ description: "the first 4 KB of the response" })),
  response_headers: t.Nullable(
    t.Record(t.String(), t.String(), {
      description:
        'the response\'s headers, names in lower case, repeated ones joined with ", "; values cut at 512 characters, at most 50 headers and 4 KB in all; null when no response came',
    }),
  ),
  request_headers: t.Record(t.String(), t.String(), {
    description:
      "the headers sent but the signature (webhook-signature, made with the endpoint's secret): webhook-timestamp is the attempt's time; user-agent names the version answering",
  }),
});

export const DeliveryWithAttemptsSchema = t.Object({
  ...DeliverySchema.properties,
  attempts: t.Array(AttemptSchema, { description: "oldest first" }),
});

export type DeliveryJson = typeof DeliverySchema.static;
export type AttemptJson = typeof AttemptSchema.static;

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function deliveryJson(delivery: Delivery): DeliveryJson {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    endpoint_id: delivery.endpointId,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    next_attempt_at: iso(delivery.nextAttemptAt),
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    updated_at: delivery.updatedAt.toISOString(),
    delivered_at: iso(delivery.deliveredAt),
  };
}

/**
 * One attempt, with the request it sent rebuilt rather than stored: its headers follow from
 * the delivery's event (webhook-id) and the attempt's time (webhook-timestamp), and its body
 * is the event's ({"type", "timestamp", "data"}: ./request.ts, deliveryBody).
 */
export function attemptJson(
  attempt: DeliveryAttempt,
  delivery: Pick<Delivery, "eventId">,
  version: string,
): AttemptJson {
  return {
    id: attempt.id,
    attempted_at: attempt.attemptedAt.toISOString(),
    status_code: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_body: attempt.responseBody,
    response_headers: attempt.responseHeaders === null ? null : { ...attempt.responseHeaders },
    request_headers: unsignedHeaders(delivery.eventId, attempt.attemptedAt, version),
  };
}

export const DeliveryListQuery = t.Object({
  endpoint_id: t.Optional(t.String()),
  event_id: t.Optional(t.String()),
  status: t.Optional(t.String({ description: "pending, delivered or failed" })),
  type: t.Optional(t.String({ description: `the delivery's event type: ${TYPE_PARAMETER}` })),
  since: t.Optional(t.String({ description: `created ${SINCE_PARAMETER}` })),
  until: t.Optional(t.String({ description: `created ${UNTIL_PARAMETER}` })),
  limit: t.Optional(t.String({ description: "1-500, default 50" })),
  cursor: t.Optional(t.String({ description: "next_cursor from the previous page" })),
});

/** The trigger's optional body, for the OpenAPI document (any JSON value). */
export const TriggerBody = {
  required: false,
  description:
    "Any JSON value, sent with Content-Type: application/json: the event's payload, delivered as `data`. No body: `{}`.",
  content: { "application/json": { schema: t.Unknown() } },
} as never;

export const TriggerResponse = t.Object({
  event_id: t.String(),
  deliveries: t.Integer({ description: "deliveries queued for matching enabled endpoints" }),
});
