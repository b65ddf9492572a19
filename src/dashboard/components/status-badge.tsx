/**
 * A status as a coloured badge. Green: it got there; grey: waiting or parked; amber:
 * trying again; red: gave up or was refused. Unknown statuses are grey, never hidden.
 */

export type BadgeTone = "ok" | "neutral" | "warn" | "bad";

const TONES: Readonly<Record<string, BadgeTone>> = {
  delivered: "ok",
  sent: "ok",
  success: "ok",
  succeeded: "ok",
  ok: "ok",
  active: "ok",
  enabled: "ok",
  queued: "neutral",
  pending: "neutral",
  held: "neutral",
  scheduled: "neutral",
  disabled: "neutral",
  retrying: "warn",
  failed: "bad",
  rejected: "bad",
  error: "bad",
};

/** The tone for a status word, or for an HTTP status code (2xx ok, 429/5xx warn, else bad). */
export function badgeTone(status: string | number): BadgeTone {
  if (typeof status === "number") {
    if (status >= 200 && status < 300) return "ok";
    if (status === 429 || status >= 500) return "warn";
    return "bad";
  }
  return TONES[status.toLowerCase()] ?? "neutral";
}

export interface StatusBadgeProps {
  /** A status word (`delivered`, `retrying`, …) or an HTTP status code. */
  readonly status: string | number;
}

export function StatusBadge({ status }: StatusBadgeProps): JSX.Element {
  return (
    <span class={`badge badge-${badgeTone(status)}`} safe>
      {String(status)}
    </span>
  );
}
