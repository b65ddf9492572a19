/**
 * What `hookyard listen` prints. One stdout line per event, meant to be read and grepped:
 *
 *   2026-12-05 10:15:02  invoice.paid  0193a1b2-…  → 200 in 12 ms
 *   2026-12-05 10:15:03  invoice.paid  0193a1b3-…  → error: connection refused
 *
 * Status lines (connected, reconnecting, replaying) go to stderr, so stdout stays a log of
 * events. Pure.
 */
import type { ForwardOutcome } from "./forward.ts";

export function eventLine(
  at: Date,
  event: { readonly id: string; readonly type: string },
  outcome: ForwardOutcome,
): string {
  const answer =
    "status" in outcome
      ? `→ ${outcome.status} in ${outcome.durationMs} ms`
      : `→ error: ${outcome.error}`;
  return `${localTime(at)}  ${printable(event.type)}  ${printable(event.id)}  ${answer}`;
}

/** `YYYY-MM-DD HH:MM:SS` in the local time zone: the clock beside the developer's terminal. */
export function localTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const date = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  return `${date} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** Seconds as people say them: 0.5 s, 2 s, 10 s. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * A type or id as one printable line: event types come from senders, and a control
 * character in one must not move the terminal's cursor or forge a line of its own.
 */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}
