/**
 * Where `hookyard listen` resumes the stream from, and how long it waits before it tries.
 * Pure.
 *
 * GET /events/stream resumes after a Last-Event-ID with every event whose id sorts after
 * it (EventStore.listAfter). Event ids are UUIDv7 (RFC 9562 §5.7): the first 48 bits are
 * the Unix time in milliseconds, so their hex text sorts as the time they were taken.
 */

/** Where a stream starts that replays what was stored since `ms`. */
export { idFloor as eventIdFloor, timeOfId as timeOfEventId } from "../lib/ids.ts";

export interface ReconnectPolicy {
  readonly firstMs: number;
  readonly capMs: number;
}

/** 0.5 s, doubling, to 10 s: quick after a blip, gentle on a hookyard that is restarting. */
export const RECONNECT_POLICY: ReconnectPolicy = { firstMs: 500, capMs: 10_000 };

/**
 * The wait before reconnection attempt `failures` (0: after the first failure). A
 * `Retry-After` the server sent (503: too many streams) wins when it is longer.
 */
export function reconnectDelay(
  failures: number,
  retryAfterMs: number | undefined = undefined,
  policy: ReconnectPolicy = RECONNECT_POLICY,
): number {
  const doubled = policy.firstMs * 2 ** Math.min(Math.max(0, failures), 30);
  const backoff = Math.min(policy.capMs, doubled);
  return Math.max(backoff, retryAfterMs ?? 0);
}
