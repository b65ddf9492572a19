/**
 * Where `hookyard listen` resumes the stream from, and how long it waits before it tries.
 * Pure.
 *
 * GET /events/stream resumes after a Last-Event-ID with every event whose id sorts after
 * it (EventStore.listAfter). Event ids are UUIDv7 (RFC 9562 §5.7): the first 48 bits are
 * the Unix time in milliseconds, so their hex text sorts as the time they were taken.
 */

/**
 * The smallest UUIDv7 of the millisecond `ms`, all bits after the time zero: every event
 * stored at or after `ms` sorts after it, every one stored before sorts before. Resuming
 * from it replays exactly the events stored since `ms`.
 */
export function eventIdFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0").slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The time a UUIDv7 was taken, in ms; undefined for ids that are not UUIDv7. */
export function timeOfEventId(id: string): number | undefined {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(id);
  if (!match) return undefined;
  return Number.parseInt(`${match[1]}${match[2]}`, 16);
}

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
