/** /endpoints, /trigger/:event_type, /deliveries (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";

export function deliveryRoutes(_ctx: AppContext) {
  return new Elysia({ name: "delivery" });
}
