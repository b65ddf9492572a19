/** Dashboard pages: endpoints (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function endpointsPages(_ctx: AppContext) {
  return new Elysia({ name: "dashboard.endpoints" });
}
