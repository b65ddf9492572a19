/**
 * What every request passes through: a request id, the Host and cross-site checks, the
 * body-size limit, the one place errors become responses, the headers every JSON answer
 * carries, and a log line and metrics once the response is sent.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { newId } from "../lib/ids.ts";
import { DatabaseTimeout } from "../store/bounded.ts";
import { isDatabaseUnavailable, SearchTooSlow } from "../store/errors.ts";
import { isAllowedHost } from "./allowed-hosts.ts";
import { parseFormBody, parseJsonBodyAsync, readBody, tooLarge } from "./body.ts";
import { ApiError, badRequest, errorResponse, JSON_HEADERS, unavailable } from "./errors.ts";
import { type CrossSiteRefusal, crossSiteRefusal, isStateChanging } from "./same-origin.ts";

interface RequestTrace {
  readonly id: string;
  readonly startedAt: number;
}

/** A client's own request id is kept when it is a sane token, so logs can be correlated. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface PipelineOptions {
  /**
   * Routes (as declared, e.g. "/webhook/:id") whose handlers get the body as the raw
   * bytes (`Uint8Array`), unparsed: signatures are computed over the exact bytes, and
   * they must be checked before a body is parsed.
   */
  readonly rawBodyRoutes?: readonly string[];
  /**
   * A failed request as a page rather than JSON, for paths a person reads (the
   * dashboard's); undefined leaves the JSON answer. It gets the error as mapped here, so
   * status and message are decided in this one place either way.
   */
  readonly errorPage?: (
    error: ApiError,
    failed: { readonly request: Request; readonly path: string; readonly body: unknown },
  ) => Response | undefined;
}

export function httpPipeline(ctx: AppContext, options: PipelineOptions = {}) {
  const rawBodyRoutes = new Set(options.rawBodyRoutes ?? []);
  const traces = new WeakMap<Request, RequestTrace>();
  const limit = ctx.config.maxBodySizeBytes;
  const { allowedHosts } = ctx.config;

  return (
    new Elysia({ name: "http.pipeline" })
      .onRequest(({ request }) => {
        const given = request.headers.get("x-request-id");
        const id = given && SAFE_REQUEST_ID.test(given) ? given : newId();
        traces.set(request, { id, startedAt: performance.now() });
        const path = pathOf(request.url);
        if (!isAllowedHost(request.headers.get("host"), allowedHosts) && !isProbe(path)) {
          return errorResponse(misdirected(request.headers.get("host")));
        }
        // The dashboard refuses a cross-site form with a page of its own (./csrf.ts).
        if (isStateChanging(request.method) && !isDashboardPath(path)) {
          const refusal = crossSiteRefusal(request);
          if (refusal !== undefined) return errorResponse(crossSite(refusal));
        }
        // PostgreSQL cannot hold U+0000 in text, so an id or filter carrying one failed
        // there (and only there) with a 500. No name, id or filter of ours holds one. The
        // dashboard checks its ids and filters itself and answers with its own 404 page.
        if (request.url.includes("%00") && !isDashboardPath(path)) {
          return errorResponse(badRequest("the URL holds a NUL byte (%00)"));
        }
        if (Number(request.headers.get("content-length") ?? 0) > limit) {
          return errorResponse(tooLarge(limit));
        }
      })
      // Every parsed body goes through the capped reader, so a chunked body without
      // Content-Length is refused with the same JSON 413 once it passes the limit.
      .onParse({ as: "global" }, async ({ request, contentType, route }) => {
        if (rawBodyRoutes.has(route)) return readBody(request, limit);
        if (contentType.includes("json")) return parseJsonBodyAsync(await readBody(request, limit));
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
          return parseFormBody(new TextDecoder().decode(await readBody(request, limit)));
        }
      })
      .onError({ as: "global" }, ({ code, error, request, path, body }) => {
        const apiError = toApiError(code, error, request.method, path);
        if (apiError.status >= 500) {
          const trace = traces.get(request);
          ctx.log.error("request failed", { request_id: trace?.id, path, error });
        }
        return options.errorPage?.(apiError, { request, path, body }) ?? errorResponse(apiError);
      })
      .mapResponse({ as: "global" }, ({ request, responseValue, set }) => {
        const id = traces.get(request)?.id;
        if (id) set.headers["x-request-id"] = id;
        if (responseValue instanceof Response) {
          if (id) responseValue.headers.set("x-request-id", id);
          return;
        }
        // What a handler returns as a value leaves as JSON; a handler returning text or
        // HTML builds its own Response.
        if (typeof responseValue === "object" && responseValue !== null) {
          for (const [name, value] of Object.entries(JSON_HEADERS)) set.headers[name] ??= value;
        }
      })
      .onAfterResponse({ as: "global" }, (context) => {
        const { request, route, set } = context;
        const { responseValue, code } = context as { responseValue?: unknown; code?: string };
        const status =
          responseValue instanceof Response
            ? responseValue.status
            : code !== undefined
              ? statusForCode(code)
              : Number(set.status ?? 200);
        const trace = traces.get(request);
        const seconds = trace ? (performance.now() - trace.startedAt) / 1000 : 0;
        const labels = {
          method: request.method,
          route: route || "unmatched",
          status: String(status),
        };
        ctx.metrics.httpRequests.inc(labels);
        ctx.metrics.httpDuration.observe(labels, seconds);
        const quiet = route === "/healthz" || route === "/readyz" || route === "/metrics";
        ctx.log[quiet ? "debug" : "info"]("request", {
          request_id: trace?.id,
          method: request.method,
          route: labels.route,
          status,
          ms: Math.round(seconds * 1000),
        });
      })
  );
}

const pathOf = (url: string) => new URL(url).pathname;

const isDashboardPath = (path: string) => path === "/dashboard" || path.startsWith("/dashboard/");

/** A load balancer's or orchestrator's probe may address the instance by its IP. */
const isProbe = (path: string) => path === "/healthz" || path === "/readyz";

const misdirected = (host: string | null) =>
  new ApiError(
    421,
    host === null
      ? "the request has no Host header, and ALLOWED_HOSTS restricts the names this hookyard answers to"
      : `this hookyard does not answer to the host name ${JSON.stringify(host.slice(0, 256))}`,
    [
      {
        hint: "add the name to ALLOWED_HOSTS (with no ADMIN_TOKEN and no HOST, only localhost, 127.0.0.1 and [::1] are answered)",
      },
    ],
  );

const crossSite = (refusal: CrossSiteRefusal) =>
  new ApiError(
    403,
    refusal === "cross-site"
      ? "refused: the browser says this request came from another site (Sec-Fetch-Site)"
      : "refused: the request's Origin is not this site",
    [
      {
        hint: "hookyard takes no state-changing request from another site's page; call it from a server or from its own dashboard",
      },
    ],
  );

function statusForCode(code: string): number {
  if (code === "NOT_FOUND") return 404;
  if (code === "VALIDATION") return 422;
  if (code === "PARSE") return 400;
  return 500;
}

/** Never a stack trace to a client: unknown errors become a bare 500. */
export function toApiError(code: unknown, error: unknown, method: string, path: string): ApiError {
  if (error instanceof ApiError) return error;
  // Elysia wraps what our body parser throws in a ParseError; the cause says what was wrong.
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof ApiError) return cause;
  if (code === "NOT_FOUND") return new ApiError(404, `no route for ${method} ${path}`);
  if (code === "PARSE") return new ApiError(400, "the request body could not be parsed");
  if (code === "VALIDATION") return new ApiError(422, "invalid request", validationDetails(error));
  // A call that timed out may be a partition or a query too slow to wait for: say which.
  if (error instanceof DatabaseTimeout) {
    return unavailable(`the database did not answer within ${error.ms} ms; retry later`);
  }
  if (error instanceof SearchTooSlow) {
    return unavailable(
      `the text search (q) was stopped after ${error.ms} ms; narrow it with source, type, entity_id, since or until`,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return unavailable("the database is unavailable; retry later");
  }
  const status = (error as { status?: unknown })?.status;
  if (status === 413) return new ApiError(413, "request body is larger than MAX_BODY_SIZE");
  return new ApiError(500, "internal error; see the server log");
}

/** Elysia's validation error lists every failed check; keep the field and the message. */
function validationDetails(error: unknown): unknown[] {
  const all = (error as { all?: { path?: string; message?: string; summary?: string }[] })?.all;
  if (!Array.isArray(all)) return [];
  const seen = new Set<string>();
  const details: { field: string; message: string }[] = [];
  for (const item of all) {
    const field = (item.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "body";
    const message = item.summary ?? item.message ?? "invalid";
    const key = `${field}\0${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push({ field, message });
    }
  }
  return details;
}
