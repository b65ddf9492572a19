/**
 * A data table. Columns say how to show one row; cells are text unless wrapped in
 * `markup()`, so an attacker's string in a row can never become HTML.
 *
 * On a wide screen the table sits in a box that scrolls sideways when it must; the box
 * takes keyboard focus, named after the caption, so it scrolls without a mouse too. On a
 * phone (style.css) each row becomes a card of label/value lines: each cell carries its
 * column's header in `data-label`, which the card shows before the value.
 */
import { attr, type Cell, renderCell } from "./markup.ts";

export interface Column<Row> {
  /** Header text (escaped). An empty header stays empty on a wide screen, e.g. for buttons. */
  readonly header: string;
  /** The cell for one row: strings are escaped; wrap links, badges, times in `markup()`. */
  readonly cell: (row: Row) => Cell;
  /**
   * Classes for the column's cells, from style.css: `mono` (ids, hashes), `num`
   * (right-aligned numbers), `nowrap` (times, badges), `wrap` (long free text).
   */
  readonly class?: string;
  /**
   * The header's name for screen readers where it shows none (a column of buttons):
   * every header must name its column.
   */
  readonly label?: string;
}

export interface TableProps<Row> {
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  /** Shown instead of the table when there are no rows, e.g. an `<EmptyState>`. */
  readonly empty?: JSX.Element;
  /** A caption for screen readers (visually hidden), and the name of the scrolling box. */
  readonly caption?: string;
}

export function Table<Row>({ columns, rows, empty, caption }: TableProps<Row>): JSX.Element {
  if (rows.length === 0) {
    return empty ?? <p class="muted empty-line">Nothing here yet.</p>;
  }
  return (
    <section class="table-scroll" tabindex="0" aria-label={attr(caption ?? "Table")}>
      <table class="data">
        {caption === undefined ? (
          ""
        ) : (
          <caption class="visually-hidden" safe>
            {caption}
          </caption>
        )}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" class={column.class}>
                <HeaderText column={column} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              {columns.map((column) => (
                <td class={column.class} data-label={attr(column.header)}>
                  {renderCell(column.cell(row))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function HeaderText<Row>({ column }: { readonly column: Column<Row> }): JSX.Element {
  if (column.header !== "") return <>{attr(column.header)}</>;
  return (
    <span class="visually-hidden" safe>
      {column.label ?? "Actions"}
    </span>
  );
}
