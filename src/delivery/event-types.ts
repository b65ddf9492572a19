/**
 * Which event types an endpoint subscribes to. A filter is `*` (everything), `prefix.*`
 * (every type under that dotted prefix: `github.*` takes `github.push` and
 * `github.pull_request`, not `githubx.y`), or an exact type name.
 *
 * An empty filter list means every type, as in Svix (no filter = all event types): an
 * endpoint created without `event_types` should receive events, not silently nothing.
 * To stop an endpoint receiving anything, disable it.
 */

export const WILDCARD = "*";
const PREFIX_SUFFIX = ".*";
const MAX_FILTER_LENGTH = 256;
/** A bound on the work done per event and endpoint when fanning out. */
const MAX_FILTERS = 100;

/**
 * hookyard's own events (`hookyard.endpoint.disabled`…) go only to endpoints that name
 * them (`hookyard.*`, `hookyard.endpoint.*` or the type itself): `*` and an empty list do
 * not take them. One endpoint's outage can raise thousands of them, and every endpoint
 * created without `event_types` subscribes to `*`: its receiver was written for the
 * events it asked for, not for news about other endpoints.
 */
export const OPERATIONAL_PREFIX = "hookyard.";

export function isOperationalEventType(type: string): boolean {
  return type.startsWith(OPERATIONAL_PREFIX);
}

export function matchesEventType(filters: readonly string[], type: string): boolean {
  const operational = isOperationalEventType(type);
  if (filters.length === 0) return !operational;
  return filters.some((filter) => matchesOne(filter, type, operational));
}

function matchesOne(filter: string, type: string, operational: boolean): boolean {
  if (filter === WILDCARD) return !operational;
  if (filter.endsWith(PREFIX_SUFFIX)) {
    // Keep the dot: `github.*` → `github.`, so `githubx.y` does not match.
    return type.startsWith(filter.slice(0, -1));
  }
  return filter === type;
}

/** Why one filter is invalid, or `undefined` when it is fine. */
export function validateEventTypeFilter(filter: unknown): string | undefined {
  if (typeof filter !== "string") return "must be a string";
  if (filter === "") return "must not be empty";
  if (filter.length > MAX_FILTER_LENGTH) return `must be at most ${MAX_FILTER_LENGTH} characters`;
  // Control characters would be invisible in the dashboard and in logs.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  if (/[\s\u0000-\u001f\u007f]/.test(filter)) {
    return "must not contain whitespace or control characters";
  }
  if (filter === WILDCARD) return undefined;
  const stem = filter.endsWith(PREFIX_SUFFIX) ? filter.slice(0, -PREFIX_SUFFIX.length) : filter;
  if (stem.includes(WILDCARD)) {
    return 'may use * only alone ("*") or as a last segment ("github.*")';
  }
  if (stem === "") return 'needs a prefix before ".*" (or use "*")';
  return undefined;
}

/**
 * Why an `event_types` value is invalid, naming the offending entry
 * (`event_types[1]: must not be empty`), or `undefined` when it is fine.
 */
export function validateEventTypeFilters(filters: unknown): string | undefined {
  if (!Array.isArray(filters)) return "event_types must be an array of strings";
  if (filters.length > MAX_FILTERS) {
    return `event_types must have at most ${MAX_FILTERS} entries, got ${filters.length}`;
  }
  for (const [index, filter] of filters.entries()) {
    const problem = validateEventTypeFilter(filter);
    if (problem !== undefined) return `event_types[${index}]: ${problem}`;
  }
  return undefined;
}
