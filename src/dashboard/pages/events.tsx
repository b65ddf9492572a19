/** Dashboard pages: events (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function eventsPages(_ctx: AppContext) {
  return new Elysia({ name: "dashboard.events" });
}
