/** The delivery background workers: one claim loop per instance (./worker.ts). */
import type { AppContext } from "../context.ts";
import type { BackgroundService } from "../ops/service.ts";
import { deliveryWorker } from "./worker.ts";

export function deliveryServices(ctx: AppContext): BackgroundService[] {
  return [deliveryWorker(ctx)];
}
