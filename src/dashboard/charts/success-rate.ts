/**
 * An endpoint's success rate per hour, as its health computes it for the whole day
 * (../../endpoint-health/service.ts): delivered over attempted, where the failed and the
 * retrying count against it and those waiting for a first attempt do not count. Pure.
 */
import type { MinuteChart } from "./minutes.ts";

export interface HourRate {
  /** Minutes from the window's start to the middle of the part of the hour inside it. */
  readonly x: number;
  /** The hour's first epoch minute. */
  readonly hour: number;
  /** 0 to 1. */
  readonly rate: number;
}

/** Series keys, as the store counts deliveries (../../store/charts.ts DeliveryOutcome). */
const DELIVERED = "delivered";
const AGAINST = new Set(["failed", "retrying"]);

/** The rate of each hour with an attempted delivery, in time order. */
export function hourlySuccessRates(chart: MinuteChart): HourRate[] {
  const delivered = chart.series.findIndex((s) => s.key === DELIVERED);
  const against = chart.series.flatMap((s, i) => (AGAINST.has(s.key) ? [i] : []));
  const hours = new Map<number, { ok: number; attempted: number }>();
  for (const column of chart.columns) {
    const hour = Math.floor(column.minute / 60) * 60;
    const tally = hours.get(hour) ?? { ok: 0, attempted: 0 };
    const ok = column.counts[delivered] ?? 0;
    tally.ok += ok;
    tally.attempted += ok + against.reduce((sum, i) => sum + (column.counts[i] ?? 0), 0);
    hours.set(hour, tally);
  }
  const end = chart.firstMinute + chart.width;
  return [...hours.entries()]
    .filter(([, t]) => t.attempted > 0)
    .sort(([a], [b]) => a - b)
    .map(([hour, t]) => {
      const from = Math.max(hour, chart.firstMinute);
      const to = Math.min(hour + 60, end);
      return { x: (from + to) / 2 - chart.firstMinute, hour, rate: t.ok / t.attempted };
    });
}

/** Delivered over attempted for the whole window; null when nothing was attempted. */
export function overallSuccessRate(chart: MinuteChart): number | null {
  const at = (key: string) => chart.totals[chart.series.findIndex((s) => s.key === key)] ?? 0;
  const attempted = at(DELIVERED) + at("failed") + at("retrying");
  return attempted === 0 ? null : at(DELIVERED) / attempted;
}

/** "97.5%": one decimal, none when whole. */
export function formatRate(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
