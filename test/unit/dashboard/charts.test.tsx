import { describe, expect, test } from "bun:test";
import { BarChart, barsPath } from "../../../src/dashboard/charts/bar-chart.tsx";
import { summarize } from "../../../src/dashboard/charts/index.ts";
import { arrangeMinutes, hourTicks, type Series } from "../../../src/dashboard/charts/minutes.ts";
import {
  formatRate,
  hourlySuccessRates,
  overallSuccessRate,
} from "../../../src/dashboard/charts/success-rate.ts";
import type { MinuteCount } from "../../../src/store/charts.ts";
import { parseHtml } from "./parse-html.ts";

const until = new Date("2026-12-05T12:00:30.000Z");
const since = new Date(until.getTime() - 24 * 3_600_000);
const last = Math.floor(until.getTime() / 60_000);
const first = Math.floor(since.getTime() / 60_000);

const sources: Series[] = [
  { key: "github", label: "github", className: "chart-source-0" },
  { key: "entity", label: "entity", className: "chart-source-1" },
];
const outcomes: Series[] = ["delivered", "failed", "retrying", "waiting"].map((key) => ({
  key,
  label: key,
  className: `chart-${key}`,
}));

const count = (minute: number, series: string, n: number): MinuteCount => ({ minute, series, n });

describe("arrangeMinutes", () => {
  const cases: {
    name: string;
    counts: MinuteCount[];
    columns: { x: number; counts: number[] }[];
    totals: number[];
    peak: number | null;
  }[] = [
    { name: "nothing counted", counts: [], columns: [], totals: [0, 0], peak: null },
    {
      name: "series of one minute stack in one column",
      counts: [count(last, "entity", 2), count(last, "github", 3)],
      columns: [{ x: last - first, counts: [3, 2] }],
      totals: [3, 2],
      peak: last,
    },
    {
      name: "columns in time order, the first of equal peaks kept",
      counts: [count(last, "github", 4), count(first, "github", 4), count(first + 1, "entity", 1)],
      columns: [
        { x: 0, counts: [4, 0] },
        { x: 1, counts: [0, 1] },
        { x: last - first, counts: [4, 0] },
      ],
      totals: [8, 1],
      peak: first,
    },
    {
      name: "outside the window, unknown series and zero counts left out",
      counts: [
        count(first - 1, "github", 5),
        count(last + 1, "github", 5),
        count(last, "gitlab", 9),
        count(last, "github", 0),
      ],
      columns: [],
      totals: [0, 0],
      peak: null,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const chart = arrangeMinutes(c.counts, sources, since, until);
      expect(chart.width).toBe(1441);
      expect(chart.columns.map(({ x, counts }) => ({ x, counts }))).toEqual(c.columns);
      expect(chart.totals).toEqual(c.totals);
      expect(chart.total).toBe(c.totals.reduce((a, b) => a + b, 0));
      expect(chart.peak?.minute ?? null).toBe(c.peak);
    });
  }
});

describe("the chart's drawing", () => {
  test("each series' bars stack on the ones before, one unit a minute, rising from the bottom", () => {
    const chart = arrangeMinutes(
      [count(first + 3, "github", 2), count(first + 3, "entity", 5)],
      sources,
      since,
      until,
    );
    expect(barsPath(chart, 0, 7)).toBe("M3 5h1v2h-1z");
    expect(barsPath(chart, 1, 7)).toBe("M3 0h1v5h-1z");
  });

  test("hour ticks fall on whole UTC hours, every three", () => {
    const ticks = hourTicks(arrangeMinutes([], sources, since, until), 3);
    expect(ticks.map((t) => t.label)).toEqual([
      "12:00",
      "15:00",
      "18:00",
      "21:00",
      "00:00",
      "03:00",
      "06:00",
      "09:00",
      "12:00",
    ]);
    expect(ticks[0]?.x).toBe(0);
  });

  test("the summary names the total, each series with a count and the peak minute", () => {
    const chart = arrangeMinutes(
      [count(last - 5, "github", 1000), count(last - 5, "entity", 34), count(last, "entity", 200)],
      sources,
      since,
      until,
    );
    expect(summarize(chart, "event", "events")).toBe(
      "1,234 events in 24 h: github 1,000, entity 234; peak 1,034/min at 11:55 UTC",
    );
  });

  test("success rates per hour count failed and retrying against, waiting not at all", () => {
    const chart = arrangeMinutes(
      [
        count(last - 60, "delivered", 3),
        count(last - 60, "failed", 1),
        count(last, "retrying", 1),
        count(last, "delivered", 1),
        count(last, "waiting", 7),
      ],
      outcomes,
      since,
      until,
    );
    expect(hourlySuccessRates(chart).map((r) => formatRate(r.rate))).toEqual(["75%", "50%"]);
    expect(overallSuccessRate(chart)).toBe(4 / 6);
    expect(
      overallSuccessRate(arrangeMinutes([count(last, "waiting", 2)], outcomes, since, until)),
    ).toBeNull();
  });
});

describe("BarChart", () => {
  const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';
  const series: Series[] = [{ key: hostile, label: hostile, className: "chart-source-0" }];
  const chart = arrangeMinutes([count(last, hostile, 3)], series, since, until);

  test("an image named by its title and description, its legend and summary in text", async () => {
    const html = await BarChart({
      id: "c",
      title: "Events",
      summary: summarize(chart, "event", "events"),
      chart,
    });
    const page = await parseHtml(html);
    const svg = page.elements.find((e) => e.tag === "svg");
    expect(svg?.attributes).toMatchObject({ role: "img", "aria-labelledby": "c-title c-desc" });
    expect(page.elements.some((e) => e.tag === "title" && e.attributes.id === "c-title")).toBe(
      true,
    );
    expect(page.elements.some((e) => e.tag === "desc" && e.attributes.id === "c-desc")).toBe(true);
    expect(page.text).toContain(`${hostile}: 3`);
    expect(page.text).toContain("3 events in 24 h");
  });

  test("a hostile series name is text, never markup", async () => {
    const html = await BarChart({
      id: "c",
      title: hostile,
      summary: summarize(chart, "event", "events"),
      chart,
    });
    const page = await parseHtml(html);
    expect(page.tags).not.toContain("script");
    expect(page.tags).not.toContain("img");
    expect(html).not.toContain("<script>");
  });
});
