/** /dashboard/failures: failed deliveries across every endpoint, and retrying them in bulk. */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function failuresPages(_ctx: AppContext) {
  return new Elysia({ name: "dashboard.failures" });
}
