/**
 * A stacked bar chart of per-minute counts, as SVG drawn on the server.
 *
 * One bar per minute, one viewBox unit per minute, only non-zero minutes drawn, each
 * series one <path>: a minute's burst stays a minute wide and the peak the summary names is
 * the bar you see, where 5-minute buckets would smear it into its neighbours. At 390 px a
 * minute is a quarter of a pixel, and bars blend into an outline of the day, which is what
 * a phone can show anyway.
 *
 * The bars stretch to the box (preserveAspectRatio="none"), but the text must not: the
 * outer <svg> has no viewBox, so its labels keep their size and sit at percentages of the
 * width, and the bars live in a nested <svg> of their own. Colour is never the only key:
 * the legend names each series with its total in text.
 */

import { formatCount, hourTicks, type MinuteChart } from "./minutes.ts";
import type { HourRate } from "./success-rate.ts";

export interface BarChartProps {
  /** Unique on the page: prefixes the ids aria-labelledby points at. */
  readonly id: string;
  readonly title: string;
  /** The chart in a sentence or two; the <desc>, and shown under the chart. */
  readonly summary: string;
  readonly chart: MinuteChart;
  /** A success rate per hour, drawn as a line over the bars on a 0-100% scale. */
  readonly rates?: readonly HourRate[];
}

/** Heights in px: the label row above the bars, the bars, the tick labels under them. */
const TOP = 18;
const PLOT = 120;
const HEIGHT = TOP + PLOT + 22;
const TICK_EVERY_HOURS = 3;
/** Tick labels nearer an edge than this (in % of the width) would be cut off. */
const EDGE_PERCENT = 4;

export function BarChart({ id, title, summary, chart, rates }: BarChartProps): JSX.Element {
  const peak = chart.peak?.total ?? 1;
  const percent = (x: number) => `${((x / chart.width) * 100).toFixed(3)}%`;
  const ticks = hourTicks(chart, TICK_EVERY_HOURS);
  return (
    <figure class="chart" id={id}>
      <svg
        class="chart-svg"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        width="100%"
        height={String(HEIGHT)}
      >
        <title id={`${id}-title`} safe>
          {title}
        </title>
        <desc id={`${id}-desc`} safe>
          {summary}
        </desc>
        <text class="chart-axis-label" x="0" y="12" safe>
          {`${formatCount(peak)}/min`}
        </text>
        {rates && rates.length > 0 ? (
          <text class="chart-axis-label chart-rate-label" x="100%" y="12" text-anchor="end">
            success rate, 0–100%
          </text>
        ) : (
          ""
        )}
        <svg
          aria-hidden="true"
          x="0"
          y={String(TOP)}
          width="100%"
          height={String(PLOT)}
          viewBox={`0 0 ${chart.width} ${peak}`}
          preserveAspectRatio="none"
        >
          {ticks.map((tick) => (
            <line
              class="chart-grid"
              x1={String(tick.x)}
              x2={String(tick.x)}
              y1="0"
              y2={String(peak)}
              vector-effect="non-scaling-stroke"
            />
          ))}
          {chart.series.map((series, i) =>
            chart.totals[i] ? (
              <path class={`chart-bars ${series.className}`} d={barsPath(chart, i, peak)} />
            ) : (
              ""
            ),
          )}
        </svg>
        {rates && rates.length > 0 ? (
          <svg
            aria-hidden="true"
            x="0"
            y={String(TOP)}
            width="100%"
            height={String(PLOT)}
            viewBox={`0 0 ${chart.width} 100`}
            preserveAspectRatio="none"
          >
            <polyline
              class="chart-rate"
              points={rates.map((r) => `${r.x},${(100 - r.rate * 100).toFixed(2)}`).join(" ")}
              vector-effect="non-scaling-stroke"
            />
          </svg>
        ) : (
          ""
        )}
        <line class="chart-axis" x1="0" x2="100%" y1={String(TOP + PLOT)} y2={String(TOP + PLOT)} />
        {ticks
          .filter((tick) => {
            const at = (tick.x / chart.width) * 100;
            return at >= EDGE_PERCENT && at <= 100 - EDGE_PERCENT;
          })
          .map((tick) => (
            <text
              class="chart-tick"
              x={percent(tick.x)}
              y={String(HEIGHT - 4)}
              text-anchor="middle"
              safe
            >
              {tick.label}
            </text>
          ))}
      </svg>
      <figcaption class="chart-caption">
        <ul class="chart-legend">
          {chart.series.map((series, i) => (
            <li>
              <span class={`chart-swatch ${series.className}`} aria-hidden="true" />
              <span safe>{`${series.label}: ${formatCount(chart.totals[i] ?? 0)}`}</span>
            </li>
          ))}
        </ul>
        <p class="chart-summary" safe>
          {summary}
        </p>
      </figcaption>
    </figure>
  );
}

/**
 * Series `i`'s bars as one path: a rectangle per minute where it counted, stacked on the
 * series before it. y grows downwards, so a bar rises from `peak` (the bottom).
 */
export function barsPath(chart: MinuteChart, i: number, peak: number): string {
  const parts: string[] = [];
  for (const column of chart.columns) {
    const n = column.counts[i] ?? 0;
    if (n === 0) continue;
    const below = column.counts.slice(0, i).reduce((sum, c) => sum + c, 0);
    parts.push(`M${column.x} ${peak - below - n}h1v${n}h-1z`);
  }
  return parts.join("");
}
