/**
 * `Retry-After` as RFC 9110 defines it: either delay-seconds or an HTTP date.
 * Receivers and Svix send both forms, so both are read.
 */

/** One hour: a receiver must not be able to park a message for days. */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

/**
 * The wait the header asks for, in milliseconds, capped at `capMs`;
 * `undefined` when the header is absent or unreadable (callers then use their own backoff).
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: Date = new Date(),
  capMs: number = RETRY_AFTER_CAP_MS,
): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, capMs);
  // Only the HTTP-date form is accepted here, not any string Date.parse understands.
  if (!/^[A-Za-z]{3},? /.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now.getTime(), 0), capMs);
}
