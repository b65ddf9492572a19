/**
 * A definition list of labelled values, for the facts about one thing (an event's id,
 * source, received time). Values are text unless wrapped in `markup()`.
 */
import { type Cell, renderCell } from "./markup.ts";

export interface KeyValueItem {
  /** The label (escaped). */
  readonly label: string;
  readonly value: Cell;
  /** Show the value in monospace (ids, hashes, URLs). */
  readonly mono?: boolean;
}

export interface KeyValueProps {
  readonly items: readonly KeyValueItem[];
}

export function KeyValue({ items }: KeyValueProps): JSX.Element {
  return (
    <dl class="kv">
      {items.map((item) => (
        <div>
          <dt safe>{item.label}</dt>
          <dd class={item.mono ? "mono" : undefined}>{renderCell(item.value)}</dd>
        </div>
      ))}
    </dl>
  );
}
