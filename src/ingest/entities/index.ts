/**
 * POST /webhooks/event: create/update/delete events for an app's entities, in JSON.
 * Verified with Standard Webhooks when EVENTS_WEBHOOK_SECRET is set and then deduplicated
 * on the verified message id; unsigned, on webhook-id, svix-id or Idempotency-Key.
 * Validated strictly, stored as `<entity_type>.<action>` events.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { eventJson } from "../../events/model.ts";
import { decodeJsonBody, type JsonBody, rawBodyOf } from "../../http/body.ts";
import { isJsonContentType } from "../../http/content-type.ts";
import { ApiError, jsonResponse, unprocessable, unsupportedMediaType } from "../../http/errors.ts";
import { pickHeaders } from "../../http/headers.ts";
import { jsonResponseWithRawField } from "../../http/json-response.ts";
import { documentedJsonBody } from "../../http/openapi.ts";
import { verifyStandardWebhook } from "../../lib/standard-webhooks.ts";
import { EntityEventBody } from "./model.ts";
import { parseEntityEvent } from "./normalize.ts";

export const ENTITY_RAW_BODY_ROUTES = ["/webhooks/event"] as const;

/** Headers kept with the event for debugging; never the signature. */
const KEPT_HEADERS = [
  "webhook-id",
  "webhook-timestamp",
  "svix-id",
  "svix-timestamp",
  "idempotency-key",
  "user-agent",
  "content-type",
];
const MAX_IDEMPOTENCY_KEY = 256;

export function entityIngest(ctx: AppContext) {
  const count = (outcome: string) => ctx.metrics.eventsIngested.inc({ source: "entity", outcome });
  const secret = ctx.config.eventsWebhookSecret;

  return new Elysia({ name: "ingest.entities", tags: ["Ingestion"] }).post(
    "/webhooks/event",
    async ({ request, body }) => {
      if (!isJsonContentType(request.headers.get("content-type"))) {
        count("invalid");
        throw unsupportedMediaType("send the event as JSON, with Content-Type: application/json");
      }
      const bytes = await rawBodyOf(body, request, ctx.config.maxBodySizeBytes);
      let dedupeKey: string | null;
      if (secret === undefined) {
        dedupeKey = unverifiedDedupeKey(request.headers);
      } else {
        const check = verifyStandardWebhook({ secret, headers: request.headers, body: bytes });
        if (!check.ok) {
          count("unauthorized");
          throw new ApiError(401, `webhook signature: ${check.reason}`, [
            {
              hint: "sign with EVENTS_WEBHOOK_SECRET as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)",
            },
          ]);
        }
        // The id the signature covers, whichever header family (webhook-* or Svix's
        // svix-*) carried it. Not an unsigned header beside it (Idempotency-Key, the
        // other family's id): renaming or adding one would store a captured request again.
        dedupeKey = check.id;
      }
      if (
        dedupeKey !== null &&
        (dedupeKey.length === 0 || dedupeKey.length > MAX_IDEMPOTENCY_KEY)
      ) {
        count("invalid");
        throw unprocessable("invalid idempotency key", [
          { field: "webhook-id", message: `1-${MAX_IDEMPOTENCY_KEY} characters` },
        ]);
      }
      let json: JsonBody;
      try {
        json = await decodeJsonBody(bytes);
      } catch (error) {
        count("invalid");
        throw error;
      }
      const parsed = parseEntityEvent(json.value);
      if (!parsed.ok) {
        count("invalid");
        throw unprocessable("invalid entity event", parsed.problems);
      }
      const { event } = parsed;
      const result = await ctx.store.events.record({
        source: "entity",
        type: event.type,
        entityType: event.entityType,
        entityId: event.entityId,
        action: event.action,
        occurredAt: event.occurredAt,
        receivedAt: ctx.now(),
        // The body as sent, so nothing the sender said (modified_fields…) is lost.
        payload: json.value,
        payloadText: json.storable,
        headers: pickHeaders(request.headers, KEPT_HEADERS),
        dedupeKey,
      });
      if (result.status === "duplicate") {
        count("duplicate");
        return jsonResponse({ duplicate: true }, 200);
      }
      count("stored");
      return jsonResponseWithRawField(eventJson(result.event), "payload", json.storable, 201);
    },
    {
      detail: {
        requestBody: documentedJsonBody(EntityEventBody),
        summary: "Receive an entity create/update/delete event",
        description:
          "Answers 201 with the stored event. With EVENTS_WEBHOOK_SECRET set, requests must be signed with Standard Webhooks; a repeated webhook-id or Idempotency-Key answers 200 {duplicate: true}.",
      },
    },
  );
}

/**
 * Without EVENTS_WEBHOOK_SECRET nothing is verified: whichever id the sender gave, in
 * either Standard Webhooks header family or as Idempotency-Key, is the key.
 */
function unverifiedDedupeKey(headers: Headers): string | null {
  return headers.get("webhook-id") ?? headers.get("svix-id") ?? headers.get("idempotency-key");
}
