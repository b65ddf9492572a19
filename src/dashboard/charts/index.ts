/**
 * The dashboard's charts: server-rendered SVG, no script, drawn from per-minute counts the
 * store aggregates. Each function reads what it needs and answers the chart's markup.
 */
import type { AppContext } from "../../context.ts";

/** Events per minute by source over the 24 hours before `now`, for the events page. */
export async function eventsPerMinuteChart(_ctx: AppContext, _now: Date): Promise<JSX.Element> {
  return "";
}

/** Deliveries per minute by outcome, and the success rate, over 24 hours, for an endpoint page. */
export async function endpointDeliveriesChart(
  _ctx: AppContext,
  _endpointId: string,
  _now: Date,
): Promise<JSX.Element> {
  return "";
}
