/**
 * Links that keep the current filters. A page's query string is its state (filters and
 * cursor), so paging or linking onward must carry it along, changing only what it means to.
 */

/** The current query: Elysia's `query` object or URLSearchParams. */
export type QueryValues =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | URLSearchParams;

/** Changes to apply: a string sets a parameter, undefined or "" removes it. */
export type QueryChanges = Readonly<Record<string, string | undefined>>;

/**
 * `path?query` from the current query with `changes` applied. Empty parameters are
 * dropped so links stay short; values are percent-encoded.
 */
export function hrefWith(path: string, query: QueryValues, changes: QueryChanges = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of entries(query)) {
    if (name in changes || value === "") continue;
    params.append(name, value);
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value !== undefined && value !== "") params.set(name, value);
  }
  const search = params.toString();
  return search === "" ? path : `${path}?${search}`;
}

/** The first value of a parameter, or undefined when it is missing or empty. */
export function queryValue(query: QueryValues, name: string): string | undefined {
  const value = query instanceof URLSearchParams ? query.get(name) : query[name];
  const first = typeof value === "string" ? value : value?.[0];
  return first === null || first === "" ? undefined : first;
}

function* entries(query: QueryValues): Generator<[string, string]> {
  if (query instanceof URLSearchParams) {
    yield* query.entries();
    return;
  }
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === "string") yield [name, value];
    else if (value !== undefined) for (const one of value) yield [name, one];
  }
}
