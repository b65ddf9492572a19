/** An aggregate over a timestamp column (min, max) comes back as the raw integer in SQLite. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  return typeof value === "number" ? new Date(value) : null;
}
