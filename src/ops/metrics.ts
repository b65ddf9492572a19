/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in
 * the text exposition format. Gauges that mirror the database (queue depths) are read
 * by collectors at scrape time rather than kept up to date on every write.
 */

type Labels = Record<string, string>;

// Counted on every request and delivery: the usual label value has nothing to escape.
const NEEDS_ESCAPING = /[\\\n"]/;

const escapeLabel = (value: string) =>
  NEEDS_ESCAPING.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
    : value;

const labelKey = (labels: Labels) => {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  return keys.map((key) => `${key}="${escapeLabel(labels[key] ?? "")}"`).join(",");
};

const braces = (key: string) => (key === "" ? "" : `{${key}}`);

interface Metric {
  readonly name: string;
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${this.name}${braces(key)} ${value}`);
    return lines;
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }

  /** Replaces every series at once, so label sets that vanished stop being reported. */
  replaceAll(series: readonly { labels: Labels; value: number }[]): void {
    this.values.clear();
    for (const { labels, value } of series) this.set(labels, value);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [key, value] of this.values) lines.push(`${this.name}${braces(key)} ${value}`);
    return lines;
  }
}

/** Request latencies from 1 ms to 10 s: the range a webhook sender cares about. */
export const DEFAULT_BUCKETS_SECONDS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = DEFAULT_BUCKETS_SECONDS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    }
    entry.sum += value;
    entry.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, entry] of this.series) {
      const prefix = key === "" ? "" : `${key},`;
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${entry.counts[i]}`);
      });
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${entry.count}`);
      lines.push(`${this.name}_sum${braces(key)} ${entry.sum}`);
      lines.push(`${this.name}_count${braces(key)} ${entry.count}`);
    }
    return lines;
  }
}

export type Collector = () => Promise<void> | void;

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: Collector[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }

  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  /** Runs before each scrape; a failing collector must not break the whole page. */
  collect(collector: Collector): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map(async (collect) => collect()));
    return `${this.metrics.flatMap((metric) => metric.render()).join("\n")}\n`;
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.some((existing) => existing.name === metric.name)) {
      throw new Error(`metric ${metric.name} registered twice`);
    }
    this.metrics.push(metric);
    return metric;
  }
}

/** hookyard's own metrics, created once per app so tests get fresh counters. */
export function createMetrics() {
  const registry = new MetricsRegistry();
  return {
    registry,
    httpRequests: registry.counter(
      "hookyard_http_requests_total",
      "HTTP requests by method, route and status.",
    ),
    httpDuration: registry.histogram(
      "hookyard_http_request_duration_seconds",
      "HTTP request duration by method, route and status.",
    ),
    eventsIngested: registry.counter(
      "hookyard_events_ingested_total",
      "Inbound deliveries by source and outcome (stored, duplicate, ignored, rejected, unauthorized, invalid).",
    ),
    deliveries: registry.counter(
      "hookyard_delivery_attempts_total",
      "Outbound delivery attempts by outcome (delivered, retrying, failed, gone).",
    ),
    relaySends: registry.counter(
      "hookyard_relay_sends_total",
      "Svix relay sends by outcome (sent, duplicate, rate_limited, retrying, failed).",
    ),
    queueDepth: registry.gauge(
      "hookyard_queue_depth",
      "Messages waiting, by queue (deliveries, relay) and status.",
    ),
    oldestPendingAge: registry.gauge(
      "hookyard_queue_oldest_pending_age_seconds",
      "Age of the oldest message waiting, by queue.",
    ),
    retentionRuns: registry.counter(
      "hookyard_retention_runs_total",
      "Retention runs by outcome (done, skipped: another instance held the lock, error).",
    ),
    retentionDeleted: registry.counter(
      "hookyard_retention_deleted_total",
      "Rows deleted by retention, by table.",
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
