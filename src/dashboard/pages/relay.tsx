/** Dashboard pages: relay (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function relayPages(_ctx: AppContext) {
  return new Elysia({ name: "dashboard.relay" });
}
