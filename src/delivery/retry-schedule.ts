/**
 * What happens after one delivery attempt: delivered, endpoint gone, retry at a time, or
 * failed for good. Pure: the clock and the randomness come in as arguments.
 *
 * The schedule (DELIVERY_RETRY_SCHEDULE, `5s,5m,30m,2h,5h,10h,10h` by default) lists the
 * delays before retry 1, 2, …; the first attempt is immediate, so a delivery gets at most
 * `schedule.length + 1` attempts.
 */
import { withJitter } from "../lib/backoff.ts";

/**
 * ±10%: enough that deliveries queued in the same second (a burst fanned out to one
 * endpoint) do not all retry in the same second, small enough to keep the schedule legible.
 */
export const RETRY_JITTER_RATIO = 0.1;

export type RetryDecision =
  | { readonly kind: "retry"; readonly delayMs: number; readonly at: Date }
  | { readonly kind: "exhausted" };

export interface RetryInput {
  /** Delays in ms before retry 1, 2, …. */
  readonly schedule: readonly number[];
  /** Attempts made so far, the one that just failed included (≥ 1). */
  readonly attemptsMade: number;
  readonly now: Date;
  /** A wait the receiver asked for (Retry-After); only longer waits change anything. */
  readonly retryAfterMs?: number;
  readonly random?: () => number;
}

export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}

/** When to try again after `attemptsMade` attempts, or "exhausted" when the schedule is spent. */
export function nextRetry(input: RetryInput): RetryDecision {
  const scheduledMs = input.schedule[input.attemptsMade - 1];
  if (input.attemptsMade < 1 || scheduledMs === undefined) return { kind: "exhausted" };
  const jitteredMs = withJitter(scheduledMs, RETRY_JITTER_RATIO, input.random);
  // Never earlier than the receiver asked: jitter may shorten our own delay, not theirs.
  const delayMs = Math.max(jitteredMs, input.retryAfterMs ?? 0);
  return { kind: "retry", delayMs, at: new Date(input.now.getTime() + delayMs) };
}

/** What one attempt produced, as far as deciding the next step needs it. */
export interface AttemptSummary {
  /** A 2xx response received in full within the timeout. */
  readonly ok: boolean;
  /** The response status; absent when no response came (timeout, network error). */
  readonly status?: number | undefined;
  /** The response's Retry-After, parsed (`parseRetryAfter`), whatever the status. */
  readonly retryAfterMs?: number | undefined;
}

export type AttemptOutcome =
  | { readonly kind: "delivered" }
  /** 410 Gone: the receiver says the endpoint no longer exists; disable it, fail the delivery. */
  | { readonly kind: "endpoint-gone" }
  | { readonly kind: "retry"; readonly delayMs: number; readonly at: Date }
  /** Every attempt of the schedule was spent without a 2xx. */
  | { readonly kind: "failed" };

export type OutcomeInput = Omit<RetryInput, "retryAfterMs"> & { readonly attempt: AttemptSummary };

/**
 * Classifies one attempt. Anything but a 2xx or a 410 (other statuses, redirects, timeouts,
 * network errors) is retried while the schedule lasts. A Retry-After counts only on 429 and
 * 503, the statuses that define it as "come back later"; elsewhere it is noise.
 */
export function decideAfterAttempt(input: OutcomeInput): AttemptOutcome {
  const { attempt } = input;
  if (attempt.ok) return { kind: "delivered" };
  if (attempt.status === 410) return { kind: "endpoint-gone" };
  const honoursRetryAfter = attempt.status === 429 || attempt.status === 503;
  const decision = nextRetry({
    ...input,
    retryAfterMs: honoursRetryAfter ? attempt.retryAfterMs : undefined,
  });
  return decision.kind === "exhausted" ? { kind: "failed" } : decision;
}
