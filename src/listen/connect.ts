/**
 * Opening GET /events/stream on the hookyard `listen` reads from, and what its answer
 * means for `listen`: a stream to read, a wait and another try, or a stop with a reason
 * the user can act on.
 */
import { parseRetryAfter } from "../lib/retry-after.ts";
import type { ListenOptions } from "./options.ts";

export type StreamAnswer =
  | {
      readonly kind: "open";
      readonly body: ReadableStream<Uint8Array>;
      /** The server's clock (its Date header), in ms, when it sent one. */
      readonly serverTimeMs: number | undefined;
    }
  | { readonly kind: "retry"; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: "stop"; readonly reason: string };

/** A server asking for longer than this is asked again sooner: `listen` is interactive. */
const MAX_RETRY_AFTER_MS = 60_000;

/** The stream's URL under --from (which may hold a path prefix, behind a proxy), with the filters. */
export function streamUrl(options: Pick<ListenOptions, "from" | "source" | "type">): string {
  const url = new URL(options.from);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/events/stream`;
  url.search = "";
  url.hash = "";
  if (options.source !== undefined) url.searchParams.set("source", options.source);
  if (options.type !== undefined) url.searchParams.set("type", options.type);
  return url.href;
}

export interface OpenStreamRequest {
  readonly url: string;
  readonly token: string | undefined;
  /** Last-Event-ID: resume after this event. */
  readonly resumeAfter: string | undefined;
  /** Whether a stream was opened at this URL before (a 404 then is a passing outage). */
  readonly openedBefore: boolean;
}

export async function openStream(
  request: OpenStreamRequest,
  fetcher: typeof fetch,
  signal: AbortSignal,
): Promise<StreamAnswer> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  if (request.resumeAfter !== undefined) headers["last-event-id"] = request.resumeAfter;
  let response: Response;
  try {
    response = await fetcher(request.url, { headers, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: "retry", reason: `cannot reach ${request.url}: ${describeFetchError(error)}` };
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (response.ok && response.body && contentType.startsWith("text/event-stream")) {
    const date = Date.parse(response.headers.get("date") ?? "");
    return {
      kind: "open",
      body: response.body,
      serverTimeMs: Number.isNaN(date) ? undefined : date,
    };
  }
  const text = await response.text().catch(() => "");
  return judgeRefusal(request, {
    status: response.status,
    contentType,
    body: text,
    retryAfter: response.headers.get("retry-after"),
  });
}

export interface Refusal {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly retryAfter: string | null;
}

/** What an answer other than an event stream means. Pure. */
export function judgeRefusal(
  request: Pick<OpenStreamRequest, "url" | "token" | "openedBefore">,
  refusal: Refusal,
): StreamAnswer {
  const { status } = refusal;
  const where = `${request.url} answered ${status}`;
  if (status === 401 || status === 403) {
    return {
      kind: "stop",
      reason:
        request.token === undefined
          ? `${where}: it needs a token: pass --token or set HOOKYARD_TOKEN to its ADMIN_TOKEN`
          : `${where}: the token was refused: check --token (or HOOKYARD_TOKEN) against its ADMIN_TOKEN`,
    };
  }
  if (status === 404 && !request.openedBefore) {
    return {
      kind: "stop",
      reason: `${where}: not a hookyard (or one without GET /events/stream): check --from`,
    };
  }
  if (status === 400 || status === 422) {
    return { kind: "stop", reason: `${where}: ${invalidFilter(refusal.body)}` };
  }
  if (status >= 200 && status < 300) {
    const type = refusal.contentType || "no content type";
    return { kind: "stop", reason: `${where} with ${type}, not an event stream: check --from` };
  }
  const retryAfterMs = parseRetryAfter(refusal.retryAfter, new Date(), MAX_RETRY_AFTER_MS);
  const transient = status === 404 || status === 408 || status === 429 || status >= 500;
  if (!transient) return { kind: "stop", reason: `${where}: ${errorOf(refusal.body)}` };
  return {
    kind: "retry",
    reason: `${where}: ${errorOf(refusal.body)}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** A 422 from the stream names the query parameter; the user knows it as an option. */
function invalidFilter(body: string): string {
  const json = parseJson(body) as {
    error?: unknown;
    details?: { field?: unknown; message?: unknown }[];
  };
  const details = Array.isArray(json?.details) ? json.details : [];
  const named = details
    .filter((detail) => typeof detail?.field === "string")
    .map((detail) => {
      const option = detail.field === "Last-Event-ID" ? "Last-Event-ID" : `--${detail.field}`;
      return `${option}: ${String(detail.message ?? "invalid")}`;
    });
  return named.length > 0 ? named.join("; ") : errorOf(body);
}

/** hookyard's `{"error": …}`, else the start of whatever the server said. */
function errorOf(body: string): string {
  const json = parseJson(body) as { error?: unknown } | undefined;
  if (typeof json?.error === "string") return json.error;
  const text = body.replace(/\s+/g, " ").trim().slice(0, 200);
  return text === "" ? "no explanation given" : text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A network error as a few words: `connection refused`, `timed out`… */
export function describeFetchError(error: unknown): string {
  const { code, name, message } = (error ?? {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (name === "TimeoutError") return "timed out";
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ConnectionRefused: "connection refused",
    ECONNRESET: "connection reset",
    ConnectionClosed: "connection closed",
    ENOTFOUND: "host not found",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ETIMEDOUT: "connection timed out",
  };
  if (typeof code === "string" && known[code]) return known[code];
  if (typeof message === "string" && message !== "") return message;
  return String(error);
}
