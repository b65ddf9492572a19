/**
 * Keyset-paging cursors: opaque to clients (base64url JSON), a position in an ordering
 * rather than an offset, so a page costs the same at row one million as at row one.
 */
export interface TimeCursor {
  /** Epoch milliseconds of the last row's sort time. */
  readonly at: number;
  /** The last row's id, the tie-breaker between rows with the same time. */
  readonly id: string;
}

export function encodeCursor(cursor: TimeCursor | { readonly id: number }): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The largest distance from the epoch a Date can hold, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

export function decodeTimeCursor(text: string): TimeCursor | undefined {
  const value = decode(text);
  if (
    typeof value === "object" &&
    value !== null &&
    Number.isSafeInteger((value as TimeCursor).at) &&
    // Positions no row can have, which PostgreSQL refuses with an error (a 500) rather
    // than an empty page: a time beyond any Date, an id holding U+0000.
    Math.abs((value as TimeCursor).at) <= MAX_DATE_MS &&
    typeof (value as TimeCursor).id === "string" &&
    !(value as TimeCursor).id.includes("\u0000")
  ) {
    return { at: (value as TimeCursor).at, id: (value as TimeCursor).id };
  }
  return undefined;
}

export function decodeIdCursor(text: string): { id: number } | undefined {
  const value = decode(text) as { id?: unknown } | undefined;
  return typeof value?.id === "number" && Number.isSafeInteger(value.id) && value.id > 0
    ? { id: value.id }
    : undefined;
}

function decode(text: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** A page from `limit + 1` rows fetched newest first: the extra row only says "there is more". */
export function pageByTime<T extends { readonly id: string }>(
  rows: readonly T[],
  limit: number,
  timeOf: (row: T) => Date,
): { items: T[]; next: TimeCursor | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    next: rows.length > limit && last ? { at: timeOf(last).getTime(), id: last.id } : null,
  };
}

export function pageById<T extends { readonly id: number }>(
  rows: readonly T[],
  limit: number,
): { items: T[]; next: number | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? last.id : null };
}
