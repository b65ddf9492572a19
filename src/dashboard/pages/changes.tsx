/** Dashboard pages: changes (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function changesPages(_ctx: AppContext) {
  return new Elysia({ name: "dashboard.changes" });
}
