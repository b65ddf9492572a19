/**
 * A point in time as `<time datetime>` with UTC text. The dashboard shows UTC everywhere
 * so times read the same to everyone looking at one incident, and match the logs.
 */

export type TimeValue = Date | string | number | null | undefined;

/** `2026-11-22 10:00:00 UTC`, or undefined for a missing or invalid time. */
export function formatUtc(value: TimeValue): string | undefined {
  const date = toDate(value);
  return date && `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function toDate(value: TimeValue): Date | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface TimeProps {
  /** A Date, an ISO string or epoch milliseconds; missing or invalid shows a dash. */
  readonly value: TimeValue;
}

export function Time({ value }: TimeProps): JSX.Element {
  const date = toDate(value);
  if (date === undefined) return <span class="muted">—</span>;
  const iso = date.toISOString();
  return (
    <time datetime={iso} title={iso} class="nowrap" safe>
      {formatUtc(date)}
    </time>
  );
}
