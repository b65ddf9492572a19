/** GET /events, /events/:id, /entities/:id, /aggregates/:id (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";

export function eventsApi(_ctx: AppContext) {
  return new Elysia({ name: "events" });
}
