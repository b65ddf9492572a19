/**
 * Sends one event to Svix with the official client, and says what happened. The client's
 * own retries are turned off (`retryScheduleInMs: []`): they cover only 5xx and network
 * errors, ignore 429 and Retry-After, and its timeout would span all of them. hookyard
 * owns the retry policy (policy.ts); this module makes exactly one attempt per call.
 */
import { createHash } from "node:crypto";
import { ApiException, Svix } from "svix";
import { parseRetryAfter } from "../lib/retry-after.ts";

export type SendOutcome =
  | { readonly kind: "sent"; readonly svixMessageId: string }
  /** Svix already has a message with this event id (409): delivered before, a success. */
  | { readonly kind: "duplicate" }
  | { readonly kind: "rate-limited"; readonly retryAfterMs: number | undefined }
  | { readonly kind: "retryable"; readonly reason: string }
  /** Svix refused the message itself; sending it again cannot help. */
  | { readonly kind: "fatal"; readonly reason: string; readonly status: number };

export interface RelayEventToSend {
  readonly project: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: unknown;
}

export interface SvixSenderOptions {
  readonly token: string;
  readonly serverUrl?: string | undefined;
  /** One attempt's limit, connect to last byte. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/**
 * The same key for every attempt at one event, across restarts and instances, so Svix
 * answers a resend with the first response instead of creating a second message. Never
 * `auto_…`: that prefix is the client's own random key.
 */
export function idempotencyKeyFor(project: string, eventId: string): string {
  return `hookyard-${createHash("sha256").update(`${project}\0${eventId}`).digest("hex")}`;
}

interface SeenResponse {
  status: number;
  headers: Headers;
}

export class SvixSender {
  /** Projects whose Svix application is known to exist (created on first use). */
  private readonly knownApps = new Set<string>();

  constructor(private readonly options: SvixSenderOptions) {}

  async send(event: RelayEventToSend): Promise<SendOutcome> {
    let last: SeenResponse | undefined;
    const baseFetch = this.options.fetch ?? fetch;
    const svix = new Svix(this.options.token, {
      ...(this.options.serverUrl ? { serverUrl: this.options.serverUrl } : {}),
      requestTimeout: this.options.timeoutMs,
      retryScheduleInMs: [],
      // Kept per call: the client hides non-JSON error bodies behind a parse error.
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const response = await baseFetch(input, init);
        last = { status: response.status, headers: response.headers };
        return response;
      }) as typeof fetch,
    });
    let stage: "application" | "message" = "application";
    try {
      if (!this.knownApps.has(event.project)) {
        // No stable idempotency key here: get-or-create is idempotent by itself, and Svix
        // replays a key's first 2xx for 12 hours, so after the app was deleted a stable key
        // would answer "exists" without recreating it and every message would 404 until then.
        await svix.application.getOrCreate({ uid: event.project, name: event.project });
        this.knownApps.add(event.project);
      }
      stage = "message";
      const message = await svix.message.create(
        event.project,
        { eventType: event.eventType, eventId: event.eventId, payload: event.payload },
        { idempotencyKey: idempotencyKeyFor(event.project, event.eventId) },
      );
      return { kind: "sent", svixMessageId: message.id };
    } catch (error) {
      return this.classify(error, last, stage, event.project);
    }
  }

  private classify(
    error: unknown,
    last: SeenResponse | undefined,
    stage: "application" | "message",
    project: string,
  ): SendOutcome {
    const status =
      error instanceof ApiException
        ? error.code
        : last && last.status >= 300
          ? last.status
          : undefined;
    if (status === undefined)
      return { kind: "retryable", reason: describeNetworkError(error, this.options.timeoutMs) };
    const detail = errorDetail(error);
    if (status === 429) {
      const header =
        last?.headers.get("retry-after") ??
        (error as ApiException<unknown>).headers?.["retry-after"];
      return { kind: "rate-limited", retryAfterMs: parseRetryAfter(header) };
    }
    if (status === 409 && stage === "message") return { kind: "duplicate" };
    if (status === 404 && stage === "message") {
      // The application went away (deleted in Svix): create it again on the next attempt.
      this.knownApps.delete(project);
      return {
        kind: "retryable",
        reason: `Svix application "${project}" not found; it will be created again`,
      };
    }
    if (status >= 500 || status === 408)
      return { kind: "retryable", reason: `Svix answered ${status}${detail}` };
    if (status === 401 || status === 403) {
      // An operator's mistake, not the message's: keep it queued until the token is fixed.
      return {
        kind: "retryable",
        reason: `Svix refused the token (${status}); check SVIX_TOKEN${detail}`,
      };
    }
    return { kind: "fatal", reason: `Svix refused the message (${status})${detail}`, status };
  }
}

function errorDetail(error: unknown): string {
  if (!(error instanceof ApiException)) return "";
  const body = error.body as { detail?: unknown; code?: unknown } | string | undefined;
  if (typeof body === "string") return body ? `: ${body.slice(0, 200)}` : "";
  const detail =
    typeof body?.detail === "string"
      ? body.detail
      : JSON.stringify(body?.detail ?? body?.code ?? "");
  return detail && detail !== '""' ? `: ${detail.slice(0, 300)}` : "";
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return `no answer from Svix within ${timeoutMs} ms`;
  const code = (error as { code?: string })?.code;
  const message = (error as Error)?.message ?? String(error);
  return `network error talking to Svix${code ? ` (${code})` : ""}: ${message.slice(0, 200)}`;
}
