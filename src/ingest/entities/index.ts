/** POST /webhooks/event (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function entityIngest(_ctx: AppContext) {
  return new Elysia({ name: "ingest.entities" });
}
