/** POST /notifications and /relay/messages (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";

export function relayRoutes(_ctx: AppContext) {
  return new Elysia({ name: "relay" });
}
