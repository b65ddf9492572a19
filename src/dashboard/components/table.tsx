/**
 * A data table. Columns say how to show one row; cells are text unless wrapped in
 * `markup()`, so an attacker's string in a row can never become HTML. The table sits in
 * a horizontally scrolling box, so wide tables stay usable on a phone.
 */
import { type Cell, renderCell } from "./markup.ts";

export interface Column<Row> {
  /** Header text (escaped). */
  readonly header: string;
  /** The cell for one row: strings are escaped; wrap links, badges, times in `markup()`. */
  readonly cell: (row: Row) => Cell;
  /**
   * Classes for the column's cells, from style.css: `mono` (ids, hashes), `num`
   * (right-aligned numbers), `nowrap` (times, badges), `wrap` (long free text).
   */
  readonly class?: string;
}

export interface TableProps<Row> {
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  /** Shown instead of the table when there are no rows, e.g. an `<EmptyState>`. */
  readonly empty?: JSX.Element;
  /** A caption for screen readers (visually hidden). */
  readonly caption?: string;
}

export function Table<Row>({ columns, rows, empty, caption }: TableProps<Row>): JSX.Element {
  if (rows.length === 0) {
    return empty ?? <p class="muted empty-line">Nothing here yet.</p>;
  }
  return (
    <div class="table-scroll">
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
              <th scope="col" class={column.class} safe>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              {columns.map((column) => (
                <td class={column.class}>{renderCell(column.cell(row))}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
