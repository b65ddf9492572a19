/**
 * The dashboard's charts: server-rendered SVG, no script, drawn from per-minute counts the
 * store aggregates. Each function reads what it needs and answers the chart's markup.
 */
import type { AppContext } from "../../context.ts";
import { EVENT_SOURCES } from "../../store/events.ts";
import { BarChart } from "./bar-chart.tsx";
import { ChartEmpty } from "./chart-empty.tsx";
import {
  arrangeMinutes,
  clockTime,
  formatCount,
  type MinuteChart,
  type Series,
} from "./minutes.ts";
import { formatRate, hourlySuccessRates, overallSuccessRate } from "./success-rate.ts";

/** The window both charts show, the one the endpoints' health counts over. */
export const CHART_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The gateway's sources share one series: their number has no bound, a chart's colours do. */
const GATEWAY_SERIES = "sources";

const SOURCE_SERIES: readonly Series[] = [
  ...EVENT_SOURCES.map((source, i) => ({
    key: source,
    label: source,
    className: `chart-source-${i}`,
  })),
  {
    key: GATEWAY_SERIES,
    label: "sources (/in/…)",
    className: `chart-source-${EVENT_SOURCES.length}`,
  },
];

const BUILT_IN: ReadonlySet<string> = new Set(EVENT_SOURCES);

const OUTCOME_SERIES: readonly Series[] = [
  { key: "delivered", label: "delivered", className: "chart-delivered" },
  { key: "failed", label: "failed", className: "chart-failed" },
  { key: "retrying", label: "retrying", className: "chart-retrying" },
  { key: "waiting", label: "waiting", className: "chart-waiting" },
];

/**
 * How long a page waits for its chart. A chart is an aside: when the database is slow
 * (a lock, a long search beside it), the page is shown without it rather than held up
 * to the request's own limit, or failed with it.
 */
export const CHART_BUDGET_MS = 2_000;

const UNAVAILABLE = "The chart is not available right now: the database did not answer in time.";

async function withinBudget(
  ctx: AppContext,
  draw: () => Promise<JSX.Element>,
): Promise<JSX.Element> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<JSX.Element>((resolve) => {
    timer = setTimeout(() => resolve(ChartEmpty({ text: UNAVAILABLE })), CHART_BUDGET_MS);
  });
  const drawn = draw().catch((error: unknown) => {
    ctx.log.warn("dashboard chart not drawn", { error });
    return ChartEmpty({ text: UNAVAILABLE });
  });
  try {
    return await Promise.race([drawn, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Events per minute by source over the 24 hours before `now`, for the events page; the
 * gateway's sources (`sourceNames`) together.
 */
export function eventsPerMinuteChart(
  ctx: AppContext,
  now: Date,
  sourceNames: readonly string[] = [],
): Promise<JSX.Element> {
  return withinBudget(ctx, () => drawEventsPerMinute(ctx, now, sourceNames));
}

/** Deliveries per minute by outcome, and the success rate, over 24 hours, for an endpoint page. */
export function endpointDeliveriesChart(
  ctx: AppContext,
  endpointId: string,
  now: Date,
): Promise<JSX.Element> {
  return withinBudget(ctx, () => drawEndpointDeliveries(ctx, endpointId, now));
}

async function drawEventsPerMinute(
  ctx: AppContext,
  now: Date,
  sourceNames: readonly string[],
): Promise<JSX.Element> {
  const since = new Date(now.getTime() - CHART_WINDOW_MS);
  const counts = (await ctx.store.charts.eventsPerMinute(since, now, sourceNames)).map((count) =>
    BUILT_IN.has(count.series) ? count : { ...count, series: GATEWAY_SERIES },
  );
  const chart = arrangeMinutes(counts, SOURCE_SERIES, since, now);
  if (chart.total === 0) return ChartEmpty({ text: "No events in the last 24 hours." });
  return BarChart({
    id: "events-chart",
    title: "Events per minute by source, last 24 hours (UTC)",
    summary: summarize(chart, "event", "events"),
    chart,
  });
}

async function drawEndpointDeliveries(
  ctx: AppContext,
  endpointId: string,
  now: Date,
): Promise<JSX.Element> {
  const since = new Date(now.getTime() - CHART_WINDOW_MS);
  const counts = await ctx.store.charts.deliveriesPerMinute(endpointId, since, now);
  const chart = arrangeMinutes(counts, OUTCOME_SERIES, since, now);
  if (chart.total === 0) return ChartEmpty({ text: "No deliveries in the last 24 hours." });
  const rates = hourlySuccessRates(chart);
  const overall = overallSuccessRate(chart);
  const lowest = rates.reduce<(typeof rates)[number] | null>(
    (low, r) => (!low || r.rate < low.rate ? r : low),
    null,
  );
  const rateText =
    overall === null
      ? "none attempted yet"
      : `success rate ${formatRate(overall)}` +
        (lowest && lowest.rate < overall
          ? `, lowest ${formatRate(lowest.rate)} in the hour from ${clockTime(lowest.hour)} UTC`
          : "");
  return BarChart({
    id: "endpoint-chart",
    title: "Deliveries per minute by outcome, with the hourly success rate, last 24 hours (UTC)",
    summary: `${summarize(chart, "delivery", "deliveries")}; ${rateText}.`,
    chart,
    rates,
  });
}

/** "1,234 events in 24 h: github 1,000, entity 234; peak 56/min at 14:05 UTC". */
export function summarize(chart: MinuteChart, one: string, many: string): string {
  const parts = chart.series
    .map((series, i) => ({ label: series.label, n: chart.totals[i] ?? 0 }))
    .filter((part) => part.n > 0)
    .map((part) => `${part.label} ${formatCount(part.n)}`);
  const peak = chart.peak
    ? `; peak ${formatCount(chart.peak.total)}/min at ${clockTime(chart.peak.minute)} UTC`
    : "";
  return `${formatCount(chart.total)} ${chart.total === 1 ? one : many} in 24 h: ${parts.join(", ")}${peak}`;
}
