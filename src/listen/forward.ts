/**
 * Sends one event to the local URL and says how the local app answered. A local app that
 * is down, slow or failing is reported, never thrown: `listen` goes on with the next event.
 */
import { describeFetchError } from "./connect.ts";
import { forwardRequest, type StreamedEvent } from "./forward-request.ts";

export type ForwardOutcome =
  | { readonly status: number; readonly durationMs: number }
  | { readonly error: string; readonly durationMs: number };

/** A local app that has not answered in this long is reported as timed out, and skipped. */
export const FORWARD_TIMEOUT_MS = 30_000;

export async function forwardEvent(
  target: string,
  event: StreamedEvent,
  fetcher: typeof fetch,
  stop: AbortSignal,
  timeoutMs: number = FORWARD_TIMEOUT_MS,
): Promise<ForwardOutcome> {
  const request = forwardRequest(event);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  try {
    const response = await fetcher(target, {
      method: "POST",
      headers: validHeaders(request.headers),
      body: request.body,
      // A redirect is the local app's answer, shown as it is, not followed.
      redirect: "manual",
      signal,
    });
    const durationMs = elapsed();
    // Only the status is reported; the connection is not held for a body nobody reads.
    await response.body?.cancel().catch(() => {});
    return { status: response.status, durationMs };
  } catch (error) {
    if (stop.aborted) throw error;
    const timedOut = (error as { name?: unknown })?.name === "TimeoutError";
    const reason = timedOut ? `timed out after ${timeoutMs / 1000} s` : describeFetchError(error);
    return { error: reason, durationMs: elapsed() };
  }
}

/**
 * The headers fetch accepts. A stored header that is not a valid HTTP field (hookyard
 * stores what arrived) is left out rather than failing the whole request.
 */
function validHeaders(headers: Readonly<Record<string, string>>): Headers {
  const valid = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    try {
      valid.set(name, value);
    } catch {
      // not a valid field name or value: left out
    }
  }
  return valid;
}
