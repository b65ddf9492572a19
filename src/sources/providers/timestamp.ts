/**
 * The replay window of schemes that sign a timestamp (Stripe, Slack, a generic HMAC with
 * `timestamp_header`): a captured request sent again later fails here, one sent within
 * the window is caught by the delivery id.
 */
import { parseDuration } from "../../config/units.ts";
import type { Verification } from "./provider.ts";

/** Unix seconds, as every one of these schemes sends them; 15 digits is far past any clock. */
const UNIX_SECONDS = /^\d{1,15}$/;

/** The default window, as Stripe, Slack and Standard Webhooks recommend. */
export const DEFAULT_TOLERANCE = "5m";

/** Seconds of a config's tolerance (configs hold only durations `parseVerifier` accepted). */
export function toleranceSeconds(tolerance: string): number {
  return Math.floor((parseDuration(tolerance) ?? 0) / 1000);
}

/** Unix seconds from a header, or `undefined` when it is not a number of seconds. */
export function parseUnixSeconds(text: string): number | undefined {
  return UNIX_SECONDS.test(text) ? Number(text) : undefined;
}

/**
 * Whether `seconds` is within `tolerance` of `now`, past or future. The failure says how
 * far off it is, which is what tells a replay from a sender's clock running wrong.
 */
export function checkTimestamp(
  header: string,
  seconds: number,
  now: Date,
  tolerance: string,
): Verification {
  const age = Math.floor(now.getTime() / 1000) - seconds;
  if (Math.abs(age) <= toleranceSeconds(tolerance)) return { ok: true };
  const offset = age > 0 ? `${age}s old` : `${-age}s in the future`;
  return {
    ok: false,
    reason: `${header}: timestamp outside the ${tolerance} tolerance (${offset})`,
  };
}
