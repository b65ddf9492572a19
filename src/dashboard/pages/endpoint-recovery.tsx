/**
 * `/dashboard/endpoints/:id/{recover,replay,test}`: the recovery API's operations
 * (../../recovery/service.ts) as forms. A recover or a replay posts twice: first its
 * window, answered with the count and a Confirm button (nothing queued yet), then the
 * same window with `confirm=1`, which queues and redirects (303) to the endpoint's page
 * with a one-time "Queued N deliveries". A test is sent at once; the page it redirects
 * to tells its outcome, read back from the stored attempt (the notice carries only the
 * delivery's id, flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { ApiError } from "../../http/errors.ts";
import {
  countRecoverable,
  countReplayable,
  RECOVERY_REQUEST_SECONDS,
  recoverFailed,
  replay,
  sendTest,
} from "../../recovery/service.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { TimeWindow } from "../../store/recovery.ts";
import { seeOtherWithNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { endpointHref, type PageNotice } from "./endpoint-list.tsx";
import { endpointNotFound, findEndpoint } from "./endpoint-lookup.ts";
import { describeTestOutcome } from "./endpoint-query.ts";
import {
  defaultWindowValues,
  isConfirmed,
  type RecoveryKind,
  readTestForm,
  readWindowForm,
} from "./endpoint-recovery-form.ts";
import {
  EndpointDisabledPage,
  RecoveryConfirmPage,
  RecoveryFormPage,
  TestFormPage,
} from "./endpoint-recovery-view.tsx";
import { refuseForgedPost } from "./forged-post.ts";

type WindowOperation = (ctx: AppContext, endpointId: string, window: TimeWindow) => Promise<number>;

const OPERATIONS: Readonly<
  Record<RecoveryKind, { count: WindowOperation; queue: WindowOperation; notice: string }>
> = {
  recover: { count: countRecoverable, queue: recoverFailed, notice: "recovered" },
  replay: { count: countReplayable, queue: replay, notice: "replayed" },
};

/** What a handler needs of Elysia's context to keep its connection open longer. */
interface Connection {
  readonly server: { timeout(request: Request, seconds: number): void } | null;
  readonly request: Request;
}

/** Bun cuts a connection idle for 10 s (../../app.ts); a large window takes longer. */
const keepOpen = ({ server, request }: Connection, seconds: number) =>
  server?.timeout(request, seconds);

const isDisabledRefusal = (error: unknown) => error instanceof ApiError && error.status === 409;

export function endpointRecoveryPages(ctx: AppContext) {
  const windowForm = (kind: RecoveryKind) => async (context: Connection & RouteInput) => {
    const { request, params } = context;
    const endpoint = await findEndpoint(ctx.store, params.id);
    if (!endpoint) return endpointNotFound(params.id);
    const page = pageCookies(request);
    return htmlResponse(
      <RecoveryFormPage
        endpoint={endpoint}
        kind={kind}
        csrfToken={page.csrfToken}
        values={defaultWindowValues(ctx.now())}
        problems={{}}
      />,
      { headers: page.headers },
    );
  };

  const windowPost = (kind: RecoveryKind) => async (context: Connection & RouteInput) => {
    const { request, params, body } = context;
    const refusal = refuseForgedPost(request, body, "endpoints");
    if (refusal) return refusal;
    const endpoint = await findEndpoint(ctx.store, params.id);
    if (!endpoint) return endpointNotFound(params.id);
    const page = pageCookies(request);
    const form = readWindowForm(body);
    if (!form.ok) {
      return htmlResponse(
        <RecoveryFormPage
          endpoint={endpoint}
          kind={kind}
          csrfToken={page.csrfToken}
          values={form.values}
          problems={form.problems}
        />,
        { status: 422, headers: page.headers },
      );
    }
    keepOpen(context, RECOVERY_REQUEST_SECONDS);
    const operation = OPERATIONS[kind];
    try {
      if (isConfirmed(body)) {
        const queued = await operation.queue(ctx, endpoint.id, form.window);
        return seeOtherWithNotice(
          endpointHref(endpoint.id),
          `${operation.notice}:${queued}`,
          request,
        );
      }
      const count = await operation.count(ctx, endpoint.id, form.window);
      return htmlResponse(
        <RecoveryConfirmPage
          endpoint={endpoint}
          kind={kind}
          csrfToken={page.csrfToken}
          values={form.values}
          window={form.window}
          count={count}
        />,
        { headers: page.headers },
      );
    } catch (error) {
      if (!isDisabledRefusal(error)) throw error;
      return disabledPage(endpoint, kind, page);
    }
  };

  return new Elysia({ name: "dashboard.endpoint-recovery" })
    .get("/dashboard/endpoints/:id/recover", windowForm("recover"))
    .post("/dashboard/endpoints/:id/recover", windowPost("recover"))
    .get("/dashboard/endpoints/:id/replay", windowForm("replay"))
    .post("/dashboard/endpoints/:id/replay", windowPost("replay"))
    .post("/dashboard/endpoints/:id/test", async (context) => {
      const { request, params, body } = context;
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const endpoint = await findEndpoint(ctx.store, params.id);
      if (!endpoint) return endpointNotFound(params.id);
      const form = readTestForm(body);
      if (!form.ok) {
        const page = pageCookies(request);
        return htmlResponse(
          <TestFormPage
            endpoint={endpoint}
            csrfToken={page.csrfToken}
            typed={form.typed}
            problem={form.problem}
          />,
          { status: 422, headers: page.headers },
        );
      }
      // A check and an attempt, each up to DELIVERY_TIMEOUT, and recording it.
      keepOpen(context, Math.ceil((3 * ctx.config.deliveryTimeoutMs) / 1000) + 10);
      const userAgent = request.headers.get("user-agent");
      const outcome = await sendTest(
        ctx,
        endpoint.id,
        form.eventType,
        userAgent === null ? {} : { "user-agent": userAgent.slice(0, 512) },
      );
      return seeOtherWithNotice(endpointHref(endpoint.id), `tested:${outcome.deliveryId}`, request);
    });
}

interface RouteInput {
  readonly params: { readonly id: string };
  readonly body: unknown;
}

function disabledPage(
  endpoint: Endpoint,
  kind: RecoveryKind,
  page: ReturnType<typeof pageCookies>,
): Response {
  return htmlResponse(
    <EndpointDisabledPage endpoint={endpoint} kind={kind} csrfToken={page.csrfToken} />,
    { status: 409, headers: page.headers },
  );
}

/**
 * The notice for a test's outcome, from its stored delivery: undefined when it is not this
 * endpoint's (a planted cookie) or is gone.
 */
export async function testOutcomeNotice(
  ctx: Pick<AppContext, "store">,
  endpointId: string,
  deliveryId: string,
): Promise<PageNotice | undefined> {
  const delivery = await ctx.store.deliveries.get(deliveryId);
  if (!delivery || delivery.endpointId !== endpointId) return undefined;
  const attempt = (await ctx.store.deliveries.attempts(delivery.id)).at(-1);
  if (!attempt) return undefined;
  return describeTestOutcome(delivery.status === "delivered", attempt);
}
