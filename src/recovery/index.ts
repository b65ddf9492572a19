/**
 * The recovery API (ADMIN_TOKEN when set): after an outage, queue again what failed
 * (/endpoints/:id/recover), send an endpoint what it never got (/endpoints/:id/replay),
 * send one event again (/events/:id/resend), and check an endpoint with a test event
 * (/endpoints/:id/test). ./service.ts does the work.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { assertAdminApi } from "../http/auth.ts";
import { unprocessable } from "../http/errors.ts";
import { documentedJsonBody, ErrorSchema } from "../http/openapi.ts";
import type { TimeWindow } from "../store/recovery.ts";
import {
  DryRunQuery,
  type Parsed,
  parseDryRun,
  parseTestBody,
  parseWindow,
  QueuedResponse,
  ResendResponse,
  TestBody,
  type TestJson,
  TestResponse,
  WindowBody,
  WouldQueueResponse,
} from "./model.ts";
import {
  countRecoverable,
  countReplayable,
  RECOVERY_REQUEST_SECONDS,
  recoverFailed,
  replay,
  resend,
  sendTest,
  type TestOutcome,
} from "./service.ts";

const admin = [{ adminToken: [] }];

/** The value, or a 422 naming every bad field. */
function valid<T>(parsed: Parsed<T>, what: string): T {
  if (!parsed.ok) throw unprocessable(`invalid ${what}`, parsed.problems);
  return parsed.value;
}

/** What a handler needs of Elysia's context to keep its connection open longer. */
interface Connection {
  readonly server: { timeout(request: Request, seconds: number): void } | null;
  readonly request: Request;
}

/** Bun cuts a connection idle for 10 s (../app.ts); a long recovery or test must outlast it. */
const keepOpen = ({ server, request }: Connection, seconds: number) =>
  server?.timeout(request, seconds);

type WindowOperation = (ctx: AppContext, endpointId: string, window: TimeWindow) => Promise<number>;

interface WindowRequest extends Connection {
  readonly params: { readonly id: string };
  readonly body: unknown;
  readonly query: { readonly dry_run?: string | undefined };
  readonly set: { status?: number | string };
}

export function recoveryRoutes(ctx: AppContext) {
  /** A recover or a replay: `count` for a dry run, else `queue`. */
  const windowed =
    (count: WindowOperation, queue: WindowOperation) => async (request: WindowRequest) => {
      const dryRun = valid(parseDryRun(request.query.dry_run), "query parameters");
      const window = valid(parseWindow(request.body), "recovery window");
      keepOpen(request, RECOVERY_REQUEST_SECONDS);
      if (dryRun) return { would_queue: await count(ctx, request.params.id, window) };
      const queued = await queue(ctx, request.params.id, window);
      request.set.status = 202;
      return { queued };
    };

  const windowDoc = (summary: string, description: string) => ({
    query: DryRunQuery,
    response: {
      200: WouldQueueResponse,
      202: QueuedResponse,
      404: ErrorSchema,
      409: ErrorSchema,
      415: ErrorSchema,
      422: ErrorSchema,
    },
    detail: {
      tags: ["Recovery"],
      summary,
      description,
      requestBody: documentedJsonBody(WindowBody),
      security: admin,
    },
  });

  return new Elysia({ name: "recovery" })
    .onBeforeHandle(({ request }) => assertAdminApi(request, ctx.config.adminToken))
    .post(
      "/endpoints/:id/recover",
      windowed(countRecoverable, recoverFailed),
      windowDoc(
        "Queue a new attempt of every failed delivery to the endpoint created in the window",
        "Each goes out again now with a fresh retry schedule and the same webhook-id. Idempotent while they are pending: a second call queues none of them. 409 when the endpoint is disabled (enable it first). ?dry_run=true answers 200 {would_queue} and changes nothing.",
      ),
    )
    .post(
      "/endpoints/:id/replay",
      windowed(countReplayable, replay),
      windowDoc(
        "Queue every event received in the window that the endpoint takes and never got",
        "For events stored while the endpoint was disabled, before it existed or before it subscribed to their type. Taken as new events are: by its event types and, if it has one, its payload filter (hookyard's own events pass without it). A second call queues none. 409 when the endpoint is disabled. ?dry_run=true answers 200 {would_queue} and changes nothing.",
      ),
    )
    .post(
      "/events/:id/resend",
      async ({ params, set }) => {
        const deliveries = await resend(ctx, params.id);
        set.status = 202;
        return { deliveries };
      },
      {
        response: { 202: ResendResponse, 404: ErrorSchema },
        detail: {
          tags: ["Recovery"],
          summary: "Queue a new delivery of the event to every enabled endpoint it matches now",
          description:
            "Matched by each endpoint's event types and payload filter, as a new event is. Whether or not an endpoint had it before; with the same webhook-id (the event id), so a receiver that has it may drop it as a duplicate.",
          security: admin,
        },
      },
    )
    .post(
      "/endpoints/:id/test",
      async (context) => {
        const { eventType } = valid(parseTestBody(context.body), "test");
        // A check and an attempt, each up to DELIVERY_TIMEOUT, and recording it.
        keepOpen(context, Math.ceil((3 * ctx.config.deliveryTimeoutMs) / 1000) + 10);
        const userAgent = context.request.headers.get("user-agent");
        const outcome = await sendTest(
          ctx,
          context.params.id,
          eventType,
          userAgent === null ? {} : { "user-agent": userAgent.slice(0, 512) },
        );
        return testJson(outcome);
      },
      {
        response: { 200: TestResponse, 404: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
        detail: {
          tags: ["Recovery"],
          summary: "Send a signed test event to this endpoint only, now, and answer its outcome",
          description:
            "The event (type hookyard.test unless event_type says otherwise) and its delivery are stored, with this one attempt; a failure is not retried. Sent whatever types the endpoint subscribes to, and also when it is disabled, to check a receiver before enabling it. The attempt is a delivery's: destination checked, request signed, a 410 disables the endpoint.",
          requestBody: documentedJsonBody(TestBody),
          security: admin,
        },
      },
    );
}

function testJson({ eventId, deliveryId, delivered, attempt }: TestOutcome): TestJson {
  return {
    event_id: eventId,
    delivery_id: deliveryId,
    delivered,
    status: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_body: attempt.responseBody,
  };
}
