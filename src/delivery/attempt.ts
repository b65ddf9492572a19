/**
 * One delivery attempt: one POST, one verdict. It never throws: whatever the receiver or
 * the network does becomes a result the worker can store and decide on
 * (./retry-schedule.ts decides what comes next).
 *
 * Receivers are untrusted, so the attempt is bounded in every direction: one timeout from
 * connect to the last byte read, at most `maxResponseBytes` of the response read (a
 * receiver answering with 5 GB must not be read whole), and no redirects followed (a
 * redirect to 169.254.169.254 would walk around the SSRF check in ./ssrf.ts). For the
 * same reason it connects to an address that check approved, not to whatever the host
 * name resolves to by then (./pinned-fetch.ts).
 */
import { parseRetryAfter } from "../lib/retry-after.ts";
import { describeNetworkError } from "./network-errors.ts";
import { type FetchFunction, fetchPinned } from "./pinned-fetch.ts";
import { keptResponseHeaders } from "./response-headers.ts";

export type { FetchFunction } from "./pinned-fetch.ts";

export { buildDeliveryRequest, type DeliveryMessage, type DeliveryRequest } from "./request.ts";

/** Enough of a response to see why a receiver refused; the contract stores the first 4 KB. */
export const MAX_RESPONSE_BYTES = 4096;

export interface AttemptInput {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The addresses the destination check approved for the URL's host: the attempt connects
   * to one of these rather than resolving the name again. Absent: fetch resolves it.
   */
  readonly connectTo?: readonly string[] | undefined;
  /** DELIVERY_TIMEOUT: connect to last byte. */
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
  readonly fetch?: FetchFunction;
}

export type AttemptResult =
  /** A 2xx, its body read (up to the limit) within the timeout. */
  | {
      readonly ok: true;
      readonly status: number;
      readonly durationMs: number;
      readonly responseBody: string;
      readonly responseHeaders: Readonly<Record<string, string>>;
    }
  | {
      readonly ok: false;
      /** Absent when no response came at all (timeout, refused, reset, DNS…). */
      readonly status: number | undefined;
      readonly durationMs: number;
      /** What went wrong, for people: `HTTP 500`, `timeout after 15000 ms`, `connection refused`. */
      readonly error: string;
      readonly responseBody: string;
      /** Bounded (./response-headers.ts); absent when no response came. */
      readonly responseHeaders?: Readonly<Record<string, string>>;
      /** The response's Retry-After, whatever its status; the retry decision filters. */
      readonly retryAfterMs?: number;
    };

export async function attemptDelivery(input: AttemptInput): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), input.timeoutMs);
  const failure = (error: unknown) =>
    controller.signal.aborted ? `timeout after ${input.timeoutMs} ms` : describeNetworkError(error);

  try {
    let response: Response;
    try {
      response = await fetchPinned(input.fetch ?? fetch, input.url, input.connectTo, {
        method: "POST",
        headers: input.headers,
        body: input.body,
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      return {
        ok: false,
        status: undefined,
        durationMs: elapsed(),
        error: failure(error),
        responseBody: "",
      };
    }

    const { status } = response;
    const responseHeaders = keptResponseHeaders(response.headers);
    const read = await readPrefix(response, input.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    const responseBody = new TextDecoder().decode(read.bytes);
    const durationMs = elapsed();
    const readError = read.error === undefined ? undefined : failure(read.error);

    if (status >= 200 && status < 300) {
      if (readError === undefined) {
        return { ok: true, status, durationMs, responseBody, responseHeaders };
      }
      return {
        ok: false,
        status,
        durationMs,
        error: `${readError} while reading the response`,
        responseBody,
        responseHeaders,
      };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    return {
      ok: false,
      status,
      durationMs,
      error: describeStatus(response),
      responseBody,
      responseHeaders,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } finally {
    clearTimeout(timer);
  }
}

interface Prefix {
  readonly bytes: Uint8Array;
  /** Set when reading stopped on an error (timeout, reset) rather than at the end or the limit. */
  readonly error?: unknown;
}

/** The first `maxBytes` of the body; the rest is never read: the stream is cancelled. */
async function readPrefix(response: Response, maxBytes: number): Promise<Prefix> {
  if (response.body === null) return { bytes: new Uint8Array() };
  // The usual answer is a short body of declared length: read whole in one native call,
  // which costs a fraction of pulling it through a stream reader.
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared <= maxBytes) {
    try {
      return { bytes: new Uint8Array(await response.arrayBuffer()).subarray(0, maxBytes) };
    } catch (error) {
      return { bytes: new Uint8Array(), error };
    }
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return { bytes: concat(chunks, maxBytes) };
      chunks.push(value);
      size += value.byteLength;
    }
    // Not awaited: a receiver that keeps streaming must not hold the attempt open.
    reader.cancel().catch(() => {});
    return { bytes: concat(chunks, maxBytes) };
  } catch (error) {
    reader.cancel().catch(() => {});
    return { bytes: concat(chunks, maxBytes), error };
  }
}

function concat(chunks: readonly Uint8Array[], maxBytes: number): Uint8Array {
  const all = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all.subarray(0, maxBytes);
}

function describeStatus(response: Response): string {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    const target = location === null ? "" : ` to ${location.slice(0, 200)}`;
    return `HTTP ${response.status}: redirect${target} not followed`;
  }
  return `HTTP ${response.status}`;
}
