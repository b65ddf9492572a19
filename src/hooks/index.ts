/** POST /webhook, GET|POST|DELETE /webhook/:id (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";

export function hookRoutes(_ctx: AppContext) {
  return new Elysia({ name: "hooks" });
}
