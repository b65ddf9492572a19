/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"): a random wait in [0, min(cap, base * 2^attempt)]. Full jitter spreads
 * retries from many clients so they do not hit a recovering server in lockstep.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** `attempt` counts from 0 (the wait before the first retry). `random` is injectable for tests. */
export function fullJitterBackoff(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * A scheduled delay spread by ±`ratio` so that many deliveries scheduled at the same
 * moment do not all fire in the same second.
 */
export function withJitter(delayMs: number, ratio: number, random: () => number = Math.random) {
  const spread = delayMs * ratio;
  return Math.max(0, Math.round(delayMs - spread + random() * 2 * spread));
}
