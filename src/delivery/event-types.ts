/** Placeholder until the delivery work lands: `*` all, `prefix.*` a prefix, else exact. */
export function matchesEventType(filters: readonly string[], type: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) =>
    filter === "*"
      ? true
      : filter.endsWith(".*")
        ? type.startsWith(filter.slice(0, -1))
        : filter === type,
  );
}
