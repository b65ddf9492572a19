/**
 * POST /in/<name>: a source's webhooks in. Verified by the source's verifier over the raw
 * bytes, answered a handshake where the provider expects one (Slack's url_verification),
 * deduplicated on the provider's delivery id (else a hash of the verified body, within
 * RETENTION), typed `<name>.<type>`, and stored with the body and headers as received,
 * credentials left out. The answer comes once the event is committed, as on every route.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { rawBodyOf } from "../http/body.ts";
import { ApiError, jsonResponse, notFound } from "../http/errors.ts";
import { bodyDedupeKey } from "../ingest/body-hash.ts";
import type { Source } from "./definition.ts";
import { renderEventType, sourcedEventType } from "./event-type.ts";
import { decodeInboundBody } from "./inbound-body.ts";
import { keptHeaders } from "./kept-headers.ts";
import {
  credentialHeaders,
  deliveryIdOf,
  handshakeAnswer,
  type InboundRequest,
  providerEventType,
  verifyRequest,
} from "./providers/index.ts";
import type { SourceRegistry } from "./registry.ts";

export const SOURCE_RAW_BODY_ROUTES = ["/in/:name"] as const;

export function sourceIngest(ctx: AppContext, sources: SourceRegistry) {
  const count = (source: string, outcome: string) =>
    ctx.metrics.eventsIngested.inc({ source, outcome });

  return new Elysia({ name: "ingest.sources", tags: ["Ingestion"] }).post(
    "/in/:name",
    async ({ params, request, body }) => {
      const source = await sources.get(params.name);
      if (source === undefined) {
        throw notFound(`no source named "${params.name}": create it with POST /sources`);
      }
      const bytes = await rawBodyOf(body, request, ctx.config.maxBodySizeBytes);
      const { headers } = request;
      const receivedAt = ctx.now();
      // Decoded before the check, which some providers read (Stripe's id, Slack's type),
      // and refused only after it: an unverified request learns nothing of its body.
      const decoded = await decodeInboundBody(headers.get("content-type"), bytes);
      const inbound: InboundRequest = {
        headers,
        body: bytes,
        payload: decoded instanceof ApiError ? undefined : decoded.payload,
      };
      const verified = verifyRequest(source.verifier, inbound, receivedAt);
      if (!verified.ok) {
        count(source.name, "unauthorized");
        throw new ApiError(401, verified.reason, [
          { source: source.name, verifier: source.verifier.type },
        ]);
      }
      if (decoded instanceof ApiError) {
        count(source.name, "invalid");
        throw decoded;
      }
      const handshake = handshakeAnswer(source.verifier, inbound);
      if (handshake) return jsonResponse(handshake.body, handshake.status);

      const result = await ctx.store.events.record({
        source: source.name,
        type: eventTypeOf(source, inbound),
        occurredAt: receivedAt,
        receivedAt,
        payload: decoded.payload,
        payloadText: decoded.storable,
        headers: keptHeaders(headers, credentialHeaders(source.verifier)),
        dedupeKey: deliveryIdOf(source.verifier, inbound) ?? bodyDedupeKey(bytes),
        // A JSON body stored as it came is the payload's text already: kept once.
        body:
          decoded.storable !== undefined
            ? { kind: "payload-text" }
            : { kind: "text", text: decoded.text },
      });
      if (result.status === "duplicate") {
        count(source.name, "duplicate");
        return jsonResponse({ duplicate: true, event_id: result.eventId }, 200);
      }
      count(source.name, "stored");
      return jsonResponse({ event_id: result.event.id, type: result.event.type }, 201);
    },
    {
      detail: {
        summary: "Receive a webhook for a source (POST /sources)",
        description:
          "Checked by the source's verifier over the raw body: 401 naming the header when it fails. 201 {event_id, type} once stored as <name>.<type>; 200 {duplicate: true} for a delivery seen before (the provider's delivery id, else a hash of the body); Slack's url_verification is answered with its challenge. JSON or form bodies.",
      },
    },
  );
}

/** `<name>.<type>`: the source's template when it has one, else the provider's own field. */
function eventTypeOf(source: Source, inbound: InboundRequest): string {
  const type = source.eventType
    ? renderEventType(source.eventType, inbound)
    : providerEventType(source.verifier, inbound);
  return sourcedEventType(source.name, type);
}
