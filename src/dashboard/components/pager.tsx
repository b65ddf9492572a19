/**
 * Links between pages of a keyset-paged list, keeping the filters. hookyard's lists page
 * forward with an opaque cursor (newest first), so the pager offers "Newest" (drop the
 * cursor) and "Older" (the next cursor), and "Newer" when the page knows a previous cursor.
 */
import { attr } from "./markup.ts";
import { hrefWith, type QueryValues, queryValue } from "./query.ts";

export interface PagerProps {
  /** The list's path, e.g. `/dashboard`. */
  readonly path: string;
  /** The current query (filters and cursor); every parameter but the cursor is kept. */
  readonly query: QueryValues;
  /** The cursor of the next (older) page, or null/undefined on the last page. */
  readonly nextCursor: string | null | undefined;
  /** The cursor of the previous (newer) page, when the list can page backwards. */
  readonly prevCursor?: string | null;
  /** The query parameter that carries the cursor. Default `cursor`. */
  readonly cursorParam?: string;
}

export function Pager({
  path,
  query,
  nextCursor,
  prevCursor,
  cursorParam = "cursor",
}: PagerProps): JSX.Element {
  const onFirstPage = queryValue(query, cursorParam) === undefined;
  if (onFirstPage && !nextCursor) return "";
  const link = (cursor: string | undefined) =>
    attr(hrefWith(path, query, { [cursorParam]: cursor }));
  return (
    <nav class="pager" aria-label="Pages">
      {onFirstPage ? "" : <a href={link(undefined)}>« Newest</a>}
      {prevCursor ? (
        <a href={link(prevCursor)} rel="prev">
          ‹ Newer
        </a>
      ) : (
        ""
      )}
      {nextCursor ? (
        <a href={link(nextCursor)} rel="next">
          Older ›
        </a>
      ) : (
        <span class="muted">No older entries</span>
      )}
    </nav>
  );
}
