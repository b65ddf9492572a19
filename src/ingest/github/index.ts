/**
 * POST /webhooks/github: GitHub deliveries in. Verified (X-Hub-Signature-256 over the raw
 * bytes), deduplicated on X-GitHub-Delivery (without one, on a hash of the body), stored
 * as `github.<event>` events; a push to the default branch also becomes a `changes` row,
 * in the same transaction.
 * GET /changes lists those rows (ADMIN_TOKEN).
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { assertAdminApi } from "../../http/auth.ts";
import { rawBodyOf } from "../../http/body.ts";
import { ApiError, badRequest, jsonResponse } from "../../http/errors.ts";
import { pickHeaders } from "../../http/headers.ts";
import { QueryReader } from "../../http/query.ts";
import { decodeIdCursor, encodeCursor } from "../../store/cursor.ts";
import { MAX_ENTITY_ID_LENGTH } from "../../store/events.ts";
import { bodyDedupeKey } from "../body-hash.ts";
import { readGitHubBody } from "./body.ts";
import { classifyGitHubEvent, NOT_A_PUSH } from "./event.ts";
import { type PushDecision, pushToChange } from "./push.ts";
import { verifyGitHubSignature } from "./signature.ts";

export const GITHUB_RAW_BODY_ROUTES = ["/webhooks/github"] as const;

/** Headers kept with the event for debugging; never the signature. */
const KEPT_HEADERS = [
  "x-github-event",
  "x-github-delivery",
  "x-github-hook-id",
  "x-github-hook-installation-target-type",
  "x-github-hook-installation-target-id",
  "user-agent",
  "content-type",
] as const;

const DELIVERY_ID = /^[A-Za-z0-9-]{1,128}$/;

const ChangeSchema = t.Object({ id: t.Integer(), data: t.Unknown() });

export function githubIngest(ctx: AppContext) {
  const count = (outcome: string) => ctx.metrics.eventsIngested.inc({ source: "github", outcome });

  return new Elysia({ name: "ingest.github", tags: ["Ingestion"] })
    .post(
      "/webhooks/github",
      async ({ request, body }) => {
        const bytes = await rawBodyOf(body, request, ctx.config.maxBodySizeBytes);
        const headers = request.headers;
        if (ctx.config.githubWebhookSecrets.length > 0) {
          const check = verifyGitHubSignature(
            ctx.config.githubWebhookSecrets,
            headers.get("x-hub-signature-256"),
            bytes,
          );
          if (!check.ok) {
            count("unauthorized");
            throw new ApiError(401, `X-Hub-Signature-256: ${check.reason}`, [
              { hint: "the webhook's secret must equal GITHUB_WEBHOOK_SECRET" },
            ]);
          }
        }
        const event = classifyGitHubEvent(headers.get("x-github-event"));
        if (!event.ok) {
          count("invalid");
          throw badRequest(event.error);
        }
        const deliveryId = headers.get("x-github-delivery");
        if (deliveryId !== null && !DELIVERY_ID.test(deliveryId)) {
          count("invalid");
          throw badRequest("X-GitHub-Delivery: expected a delivery GUID");
        }
        const decoded = await readGitHubBody(headers.get("content-type"), bytes);
        if (!decoded.ok) {
          count("invalid");
          throw new ApiError(decoded.status, decoded.error);
        }
        const payload = decoded.payload;
        const repository = payload.repository as { full_name?: unknown } | undefined;
        const repositoryName =
          typeof repository?.full_name === "string" ? repository.full_name : null;
        // The name is the event's entity id, an index key. GitHub's own names stop at 140.
        if (repositoryName !== null && repositoryName.length > MAX_ENTITY_ID_LENGTH) {
          count("invalid");
          throw new ApiError(422, "invalid GitHub payload", [
            {
              field: "repository.full_name",
              message: `at most ${MAX_ENTITY_ID_LENGTH} characters, got ${repositoryName.length}`,
            },
          ]);
        }
        const receivedAt = ctx.now();
        const decision: PushDecision | undefined =
          event.kind === "push" ? pushToChange(payload, receivedAt) : undefined;
        if (decision?.kind === "invalid") {
          count("invalid");
          throw new ApiError(422, "invalid push payload", [
            { field: decision.field, message: decision.error },
          ]);
        }

        const result = await ctx.store.events.record(
          {
            source: "github",
            type: event.type,
            entityType: repositoryName === null ? null : "repository",
            entityId: repositoryName,
            action: typeof payload.action === "string" ? payload.action : null,
            occurredAt: decision?.kind === "change" ? new Date(decision.change.ts) : receivedAt,
            receivedAt,
            payload,
            payloadText: decoded.storable,
            headers: pickHeaders(headers, KEPT_HEADERS),
            // Without X-GitHub-Delivery, a hash of the signed body: a captured push sent
            // again without one would otherwise be a new change each time.
            dedupeKey: deliveryId ?? bodyDedupeKey(bytes),
          },
          decision?.kind === "change" ? { change: decision.change } : {},
        );
        if (result.status === "duplicate") {
          count("duplicate");
          return jsonResponse({ duplicate: true }, 200);
        }
        count("stored");
        if (event.kind === "ping") return jsonResponse({ ok: true, zen: payload.zen ?? null }, 200);
        if (decision?.kind === "change") return jsonResponse({ change_id: result.changeId }, 201);
        return jsonResponse(
          { ignored: decision?.kind === "ignored" ? decision.reason : NOT_A_PUSH },
          202,
        );
      },
      {
        detail: {
          summary: "Receive a GitHub webhook delivery",
          description:
            "Signed with X-Hub-Signature-256 when GITHUB_WEBHOOK_SECRET is set. A push to the default branch answers 201 with the change id; other deliveries 202 with the reason they were ignored; a delivery id seen before 200 with duplicate: true.",
        },
      },
    )
    .get(
      "/changes",
      async ({ request, query }) => {
        assertAdminApi(request, ctx.config.adminToken);
        const read = new QueryReader(query);
        const limit = read.integer("limit", { min: 1, max: 500, fallback: 50 });
        const before = read.cursor("cursor", decodeIdCursor);
        read.done();
        const page = await ctx.store.changes.list({ limit, before: before?.id });
        return {
          changes: [...page.items],
          next_cursor: page.next === null ? null : encodeCursor({ id: page.next }),
        };
      },
      {
        query: t.Object({
          limit: t.Optional(t.String({ description: "1-500, default 50" })),
          cursor: t.Optional(t.String({ description: "next_cursor from the previous page" })),
        }),
        response: {
          200: t.Object({ changes: t.Array(ChangeSchema), next_cursor: t.Nullable(t.String()) }),
        },
        detail: {
          tags: ["Changes"],
          summary: "Pushes to default branches, newest first",
          security: [{ adminToken: [] }],
        },
      },
    );
}
