/**
 * POST /notifications: events for Svix, raw or in Google Pub/Sub push envelopes, stored
 * durably in the relay outbox before the answer. GET /relay/messages and
 * POST /relay/messages/:id/retry (ADMIN_TOKEN) to watch and mend the outbox.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { assertAdminApi, tokensEqual } from "../http/auth.ts";
import { ApiError, jsonResponse, notFound, unprocessable } from "../http/errors.ts";
import { ErrorSchema } from "../http/openapi.ts";
import { QueryReader } from "../http/query.ts";
import { decodeNotification } from "../ingest/pubsub/envelope.ts";
import { decodeTimeCursor, encodeCursor } from "../store/cursor.ts";
import type { RelayStatus } from "../store/relay.ts";
import { RELAY_STATUSES, RelayMessageSchema, relayMessageJson } from "./model.ts";

export function relayRoutes(ctx: AppContext) {
  const count = (outcome: string) => ctx.metrics.eventsIngested.inc({ source: "pubsub", outcome });
  const admin = ({ request }: { request: Request }) =>
    assertAdminApi(request, ctx.config.adminToken);

  /** Pub/Sub push can carry the token in the URL (?token=) or as a Bearer token. */
  const assertPubSubToken = (request: Request, query: Record<string, string | undefined>) => {
    const expected = ctx.config.pubsubToken;
    if (expected === undefined) return;
    const header = request.headers.get("authorization") ?? "";
    const bearer = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : undefined;
    const given = query.token ?? bearer;
    if (given !== undefined && tokensEqual(given, expected)) return;
    count("unauthorized");
    throw new ApiError(
      401,
      "missing or wrong PUBSUB_TOKEN: send it as ?token= or Authorization: Bearer",
      [],
      {
        "www-authenticate": 'Bearer realm="hookyard-notifications"',
      },
    );
  };

  return new Elysia({ name: "relay", tags: ["Relay"] })
    .post(
      "/notifications",
      async ({ request, body, query }) => {
        assertPubSubToken(request, query);
        const notification = decodeNotification(body);
        const now = ctx.now();
        if (notification.kind === "invalid") {
          count("invalid");
          throw unprocessable(notification.error, notification.details);
        }
        if (notification.kind === "rejected-envelope") {
          const stored = await ctx.store.relay.accept(
            {
              status: "rejected",
              payload: body,
              reason: notification.reason,
              pubsubMessageId: notification.pubsub.messageId,
            },
            now,
          );
          count("rejected");
          ctx.log.warn("pub/sub envelope rejected", {
            reason: notification.reason,
            pubsub_message_id: notification.pubsub.messageId,
          });
          const id = stored.status === "stored" ? stored.message.id : stored.id;
          return jsonResponse({ id, status: "rejected", reason: notification.reason }, 202);
        }
        const { event, pubsub } = notification;
        const result = await ctx.store.relay.accept(
          {
            status: ctx.config.svixToken === undefined ? "held" : "queued",
            project: event.project,
            eventId: event.id,
            eventType: event.type,
            payload: event,
            pubsubMessageId: pubsub?.messageId ?? null,
          },
          now,
        );
        if (result.status === "duplicate") {
          count("duplicate");
          return jsonResponse({ duplicate: true }, 200);
        }
        count("stored");
        return jsonResponse({ id: result.message.id, status: result.message.status }, 202);
      },
      {
        body: t.Unknown({
          description: "An event {id, type, project, …} or a Pub/Sub push envelope",
        }),
        query: t.Object({ token: t.Optional(t.String({ description: "PUBSUB_TOKEN, when set" })) }),
        detail: {
          summary: "Receive an event for Svix (raw, or a Pub/Sub push envelope)",
          description:
            "Stored before the answer: 202 {id, status: queued} (held while SVIX_TOKEN is unset); an event id seen before for the project answers 200 {duplicate: true}; an envelope without a valid event is acknowledged (202) and kept as rejected.",
        },
      },
    )
    .get(
      "/relay/messages",
      async ({ query }) => {
        const read = new QueryReader(query);
        const status = read.text("status", 16);
        if (status !== undefined && !(RELAY_STATUSES as readonly string[]).includes(status)) {
          read.problems.push({
            field: "status",
            message: `expected one of ${RELAY_STATUSES.join(", ")}`,
          });
        }
        const project = read.text("project");
        const limit = read.integer("limit", { min: 1, max: 500, fallback: 50 });
        const after = read.cursor("cursor", decodeTimeCursor);
        read.done();
        const page = await ctx.store.relay.list(
          { status: status as RelayStatus | undefined, project },
          { limit, after },
        );
        return {
          messages: page.items.map(relayMessageJson),
          next_cursor: page.next ? encodeCursor(page.next) : null,
        };
      },
      {
        beforeHandle: admin,
        query: t.Object({
          status: t.Optional(t.String({ description: RELAY_STATUSES.join(", ") })),
          project: t.Optional(t.String()),
          limit: t.Optional(t.String({ description: "1-500, default 50" })),
          cursor: t.Optional(t.String()),
        }),
        response: {
          200: t.Object({
            messages: t.Array(RelayMessageSchema),
            next_cursor: t.Nullable(t.String()),
          }),
          422: ErrorSchema,
        },
        detail: { summary: "Relay messages, newest first", security: [{ adminToken: [] }] },
      },
    )
    .get(
      "/relay/messages/:id",
      async ({ params }) => {
        const message = await ctx.store.relay.get(params.id);
        if (!message) throw notFound(`no relay message with id "${params.id}"`);
        return relayMessageJson(message);
      },
      {
        beforeHandle: admin,
        response: { 200: RelayMessageSchema, 404: ErrorSchema },
        detail: { summary: "One relay message", security: [{ adminToken: [] }] },
      },
    )
    .post(
      "/relay/messages/:id/retry",
      async ({ params }) => {
        const existing = await ctx.store.relay.get(params.id);
        if (!existing) throw notFound(`no relay message with id "${params.id}"`);
        if (existing.status === "sent" || existing.status === "rejected") {
          throw new ApiError(
            409,
            `relay message ${params.id} is ${existing.status}; only failed, held or queued messages can be retried`,
          );
        }
        const retried = await ctx.store.relay.retry(params.id, ctx.now());
        if (!retried) throw notFound(`no relay message with id "${params.id}"`);
        await ctx.store.wake("relay");
        return jsonResponse(relayMessageJson(retried), 202);
      },
      {
        beforeHandle: admin,
        detail: {
          summary: "Queue a failed message again, with a fresh RELAY_MAX_AGE window",
          security: [{ adminToken: [] }],
        },
      },
    );
}
