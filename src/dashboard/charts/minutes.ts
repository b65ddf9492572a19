/**
 * Per-minute counts arranged for drawing: a column per minute of the window (non-zero
 * ones only), each series' total, the peak minute and the hour ticks. Pure.
 */
import type { MinuteCount } from "../../store/charts.ts";

const MINUTE_MS = 60_000;

export interface Series {
  /** The key the store counts under (a source, an outcome). */
  readonly key: string;
  /** Shown in the legend and the summary (escaped where it is drawn). */
  readonly label: string;
  /** Its colour: a class of style.css's chart block, never the key itself. */
  readonly className: string;
}

export interface Column {
  /** Minutes from the window's first minute. */
  readonly x: number;
  /** Epoch minute. */
  readonly minute: number;
  /** Counts in the order of the chart's series. */
  readonly counts: readonly number[];
  readonly total: number;
}

export interface MinuteChart {
  /** The epoch minute the window starts in; the chart is `width` minutes wide. */
  readonly firstMinute: number;
  readonly width: number;
  readonly series: readonly Series[];
  /** Non-zero minutes only, in time order. */
  readonly columns: readonly Column[];
  /** Each series' total, in the order of `series`. */
  readonly totals: readonly number[];
  readonly total: number;
  /** The busiest minute; the first of equals. Null when nothing was counted. */
  readonly peak: Column | null;
}

/**
 * `counts` within [since, until] arranged by minute. A count of a series not listed is left
 * out, and so is one outside the window.
 */
export function arrangeMinutes(
  counts: readonly MinuteCount[],
  series: readonly Series[],
  since: Date,
  until: Date,
): MinuteChart {
  const firstMinute = Math.floor(since.getTime() / MINUTE_MS);
  const lastMinute = Math.floor(until.getTime() / MINUTE_MS);
  const index = new Map(series.map((s, i) => [s.key, i]));
  const byMinute = new Map<number, number[]>();
  for (const { minute, series: key, n } of counts) {
    const i = index.get(key);
    if (i === undefined || minute < firstMinute || minute > lastMinute || n <= 0) continue;
    const row = byMinute.get(minute) ?? series.map(() => 0);
    row[i] = (row[i] ?? 0) + n;
    byMinute.set(minute, row);
  }
  const columns = [...byMinute.entries()]
    .sort(([a], [b]) => a - b)
    .map(([minute, row]) => ({
      x: minute - firstMinute,
      minute,
      counts: row,
      total: row.reduce((sum, n) => sum + n, 0),
    }));
  const totals = series.map((_, i) => columns.reduce((sum, c) => sum + (c.counts[i] ?? 0), 0));
  const peak = columns.reduce<Column | null>(
    (best, c) => (!best || c.total > best.total ? c : best),
    null,
  );
  return {
    firstMinute,
    width: lastMinute - firstMinute + 1,
    series,
    columns,
    totals,
    total: totals.reduce((sum, n) => sum + n, 0),
    peak,
  };
}

/** Whole UTC hours within the window, every `everyHours`, as minutes from its start. */
export function hourTicks(chart: Pick<MinuteChart, "firstMinute" | "width">, everyHours: number) {
  const step = everyHours * 60;
  const ticks: { x: number; label: string }[] = [];
  for (
    let m = Math.ceil(chart.firstMinute / step) * step;
    m < chart.firstMinute + chart.width;
    m += step
  ) {
    ticks.push({ x: m - chart.firstMinute, label: clockTime(m) });
  }
  return ticks;
}

/** "14:05" for an epoch minute, in UTC. */
export function clockTime(minute: number): string {
  return new Date(minute * MINUTE_MS).toISOString().slice(11, 16);
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
