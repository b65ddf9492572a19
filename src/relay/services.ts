/** The relay background workers (stub: filled in by that feature's work). */
import type { AppContext } from "../context.ts";
import type { BackgroundService } from "../ops/service.ts";

export function relayServices(_ctx: AppContext): BackgroundService[] {
  return [];
}
