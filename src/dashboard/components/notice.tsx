/**
 * A message box at the top of a page: the outcome of an action ("Endpoint disabled"), a
 * warning ("SVIX_TOKEN is not set: messages are held"), or a form error.
 */
import { type Cell, renderCell } from "./markup.ts";

export interface NoticeProps {
  /** Default `info`. */
  readonly tone?: "info" | "ok" | "warn" | "bad";
  /** Text (escaped) or `markup()`. */
  readonly message: Cell;
}

export function Notice({ tone = "info", message }: NoticeProps): JSX.Element {
  return (
    <div class={`notice notice-${tone}`} role={tone === "bad" ? "alert" : "status"}>
      {renderCell(message)}
    </div>
  );
}
