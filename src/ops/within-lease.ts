/**
 * Recording work already done (a delivery attempt made, a message sent to Svix): losing
 * the record would do the work again once the lease expires. So a database blip is
 * retried while the lease lasts; past it, another worker may have claimed the item, and
 * the store's holder check would refuse the record anyway.
 */
import { fullJitterBackoff } from "../lib/backoff.ts";
import { isDatabaseUnavailable } from "../store/errors.ts";

/** Waiting out a database blip while recording: 50 ms up to 2 s, within the lease. */
const RECORD_BACKOFF = { baseMs: 50, capMs: 2_000 };

/**
 * Runs `write` until it succeeds, throws something other than the database being
 * unavailable, or the next try would start after `leaseEndsAt` (epoch ms); then throws.
 */
export async function retryWithinLease<T>(
  write: () => Promise<T>,
  leaseEndsAt: number,
  now: () => Date,
): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await write();
    } catch (error) {
      const delay = fullJitterBackoff(failures, RECORD_BACKOFF);
      if (!isDatabaseUnavailable(error) || now().getTime() + delay >= leaseEndsAt) throw error;
      await Bun.sleep(delay);
    }
  }
}
