/**
 * Safe-by-default content for component props.
 *
 * KitaJS does not escape children: `<td>{value}</td>` with an attacker's string is an XSS.
 * Components that take content as data (table cells, key/value items) therefore accept a
 * `Cell`: plain strings and numbers are escaped, and only values wrapped in `markup(...)`
 * are inserted as HTML. Forgetting the wrapper shows tags as text; it never runs them.
 */
import { escapeHtml } from "@kitajs/html";
import { renderSync } from "../html.ts";

/** HTML that a component built and vouches for. Create it with `markup()`. */
export class Markup {
  constructor(readonly html: string) {}
}

/** Marks rendered JSX as trusted HTML, e.g. `markup(<a href={url} safe>{id}</a>)`. */
export function markup(element: JSX.Element): Markup {
  return new Markup(renderSync(element));
}

/** What a table cell or a key/value item may hold. Strings are text, never HTML. */
export type Cell = string | number | bigint | boolean | null | undefined | Markup;

/** A cell as HTML: text escaped, markup as is, nothing as a muted dash. */
export function renderCell(cell: Cell): string {
  if (cell instanceof Markup) return cell.html;
  if (cell === null || cell === undefined || cell === "") {
    return '<span class="muted" aria-label="none">—</span>';
  }
  return escapeHtml(String(cell));
}

/**
 * A fully escaped attribute value. KitaJS escapes only `"` in attributes, which keeps the
 * value inside its quotes (no XSS) but lets the browser decode `&amp;`-like sequences, so
 * a form field would not give back exactly what the user typed. Wrap values that must
 * round-trip (form values, links built from user input) in `attr()`.
 */
export function attr(value: string): string {
  return escapeHtml(value);
}
