/**
 * Endpoint health as the store reads it: what the records of its attempts keep on the
 * endpoint's row (./health-changes.ts), and its recent deliveries counted by outcome. Read
 * for a whole list of endpoints at once, in two queries whatever its length: the rows by
 * primary key, and the counts from deliveries_endpoint_idx (on PostgreSQL it holds every
 * column they need: endpoint, creation time, status, attempt count; on SQLite each row is
 * read too, about a microsecond per delivery counted, on the thread that serves requests).
 */

/** Deliveries created in the window, by status. */
export interface DeliveryCounts {
  readonly delivered: number;
  readonly failed: number;
  /** Waiting for their first attempt or a retry. */
  readonly pending: number;
  /** Of the pending ones, those already attempted: each attempt so far failed. */
  readonly retrying: number;
}

export interface EndpointHealth {
  readonly endpointId: string;
  readonly enabled: boolean;
  /** Attempts that failed since its last success. */
  readonly consecutiveFailures: number;
  /** When the first of them was made; null while the last attempt succeeded. */
  readonly failingSince: Date | null;
  readonly lastAttemptAt: Date | null;
  /** Null when no response came, or no attempt was made. */
  readonly lastStatusCode: number | null;
  readonly recent: DeliveryCounts;
}

export interface EndpointHealthStore {
  /**
   * The health of each of these endpoints that exists (others are left out), its
   * deliveries counted from those created at or after `since`.
   */
  forEndpoints(ids: readonly string[], since: Date): Promise<Map<string, EndpointHealth>>;
}

/** An endpoint row's health columns, as either dialect reads them. */
export interface HealthRow {
  readonly id: string;
  readonly enabled: boolean;
  readonly consecutiveFailures: number;
  readonly failingSince: Date | null;
  readonly lastAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
}

/** One group of the counts query. */
export interface CountRow {
  readonly endpointId: string;
  readonly status: string;
  readonly attempted: boolean | number;
  readonly n: number;
}

const NO_DELIVERIES: DeliveryCounts = { delivered: 0, failed: 0, pending: 0, retrying: 0 };

export function healthFromRows(
  rows: readonly HealthRow[],
  counts: readonly CountRow[],
): Map<string, EndpointHealth> {
  const recent = new Map<string, { -readonly [K in keyof DeliveryCounts]: number }>();
  for (const row of counts) {
    const tally = recent.get(row.endpointId) ?? { ...NO_DELIVERIES };
    const n = Number(row.n);
    if (row.status === "delivered") tally.delivered += n;
    else if (row.status === "failed") tally.failed += n;
    else if (row.status === "pending") {
      tally.pending += n;
      if (row.attempted === true || row.attempted === 1) tally.retrying += n;
    }
    recent.set(row.endpointId, tally);
  }
  return new Map(
    rows.map((row) => [
      row.id,
      {
        endpointId: row.id,
        enabled: row.enabled,
        consecutiveFailures: row.consecutiveFailures,
        failingSince: row.failingSince,
        lastAttemptAt: row.lastAttemptAt,
        lastStatusCode: row.lastStatusCode,
        recent: recent.get(row.id) ?? NO_DELIVERIES,
      },
    ]),
  );
}
