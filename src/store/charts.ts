/**
 * Per-minute counts for the dashboard's charts (../dashboard/charts/). They are read on
 * every view of the events page and of an endpoint page, so each is one index range scan
 * grouped by minute, never a pass over a table:
 * - events: events_source_received_idx (source, received_at, id), one range per source
 *   (EVENT_SOURCES is a short fixed list), holds every column counted: no row is read.
 * - an endpoint's deliveries: deliveries_endpoint_idx (endpoint, creation time), the
 *   index its health counts come from (./endpoint-health.ts), so the chart's totals are
 *   the health's totals. On PostgreSQL it holds status and attempt count too; on SQLite
 *   each row is read as well.
 */

/** How many of one series fell in one minute. */
export interface MinuteCount {
  /** Minutes since the Unix epoch (UTC): `Math.floor(ms / 60_000)`. */
  readonly minute: number;
  readonly series: string;
  readonly n: number;
}

/**
 * What became of a delivery, as the endpoint's health counts it: `retrying` is pending
 * after failed attempts, `waiting` pending before its first.
 */
export type DeliveryOutcome = "delivered" | "failed" | "retrying" | "waiting";

export interface ChartStore {
  /**
   * Events received in [since, until], counted by source and minute received: the
   * built-in sources, and the gateway's sources named in `sources`, each under its name.
   */
  eventsPerMinute(since: Date, until: Date, sources?: readonly string[]): Promise<MinuteCount[]>;
  /**
   * The endpoint's deliveries created in [since, until], counted by outcome (series: a
   * DeliveryOutcome) and minute created.
   */
  deliveriesPerMinute(endpointId: string, since: Date, until: Date): Promise<MinuteCount[]>;
}

/** One group of the deliveries query, as either dialect answers it. */
export interface DeliveryGroupRow {
  readonly minute: number | string;
  readonly status: string;
  readonly attempted: boolean | number;
  readonly n: number | string;
}

export function deliveryOutcome(status: string, attempted: boolean | number): DeliveryOutcome {
  if (status === "delivered" || status === "failed") return status;
  return attempted === true || attempted === 1 ? "retrying" : "waiting";
}

/** The deliveries query's groups as counts per outcome (two statuses may share one). */
export function deliveryMinutes(rows: readonly DeliveryGroupRow[]): MinuteCount[] {
  const counts = new Map<string, MinuteCount>();
  for (const row of rows) {
    const minute = Number(row.minute);
    const series = deliveryOutcome(row.status, row.attempted);
    const key = `${minute} ${series}`;
    const n = (counts.get(key)?.n ?? 0) + Number(row.n);
    counts.set(key, { minute, series, n });
  }
  return [...counts.values()];
}

export function eventMinutes(
  rows: readonly { minute: number | string; source: string; n: number | string }[],
): MinuteCount[] {
  return rows.map((row) => ({ minute: Number(row.minute), series: row.source, n: Number(row.n) }));
}
