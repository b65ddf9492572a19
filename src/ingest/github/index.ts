/** POST /webhooks/github and GET /changes (stub: filled in by that feature's work). */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";

export function githubIngest(_ctx: AppContext) {
  return new Elysia({ name: "ingest.github" });
}
