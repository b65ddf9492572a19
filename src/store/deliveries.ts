/**
 * Outbound deliveries: one per (event, endpoint), created with the event (see
 * EventStore.record), attempted by workers that claim them with a lease.
 */
import type { TimeCursor } from "./cursor.ts";
import type { Endpoint } from "./endpoints.ts";
import type { Page, StoredEvent } from "./events.ts";
import type { HealthPolicy } from "./health-changes.ts";

/** pending: waiting for its next attempt; delivered: a 2xx came back; failed: attempts spent, or the endpoint is gone. */
export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface Delivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly status: DeliveryStatus;
  /** Attempts made since the delivery was created or last retried by hand. */
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  readonly id: string;
  readonly deliveryId: string;
  readonly attemptedAt: Date;
  /** Null when no response came (timeout, refused connection…). */
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  /** The first 4 KB of the response body. */
  readonly responseBody: string | null;
  /** The response's headers, bounded (../delivery/response-headers.ts); null when no response came. */
  readonly responseHeaders: Readonly<Record<string, string>> | null;
}

export type NewAttempt = Omit<DeliveryAttempt, "id" | "deliveryId">;

/**
 * A delivery's latest attempt is kept on its row (a later one moves it into the attempts
 * table): recording a first-time success is then one row update. These are its columns.
 */
export interface RowWithAttempt {
  readonly id: string;
  readonly lastAttemptId: string | null;
  readonly lastAttemptedAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastDurationMs: number | null;
  readonly lastError: string | null;
  readonly lastResponseBody: string | null;
  readonly lastResponseHeaders: Readonly<Record<string, string>> | null;
}

/** A deliveries row as either dialect reads it. */
export interface DeliveryRow extends Omit<Delivery, "status">, RowWithAttempt {
  readonly status: string;
  readonly leaseExpiresAt: Date | null;
  readonly leasedBy: string | null;
}

/** The delivery as the API shows it: without its lease and the columns of its latest attempt. */
export function deliveryFromRow({
  leaseExpiresAt: _l,
  leasedBy: _b,
  lastAttemptId: _i,
  lastAttemptedAt: _a,
  lastDurationMs: _d,
  lastResponseBody: _r,
  lastResponseHeaders: _h,
  ...row
}: DeliveryRow): Delivery {
  return { ...row, status: row.status as DeliveryStatus };
}

/** The attempt on a delivery's row, if one was recorded there. */
export function attemptOnRow(row: RowWithAttempt): DeliveryAttempt[] {
  if (row.lastAttemptId === null || row.lastAttemptedAt === null) return [];
  return [
    {
      id: row.lastAttemptId,
      deliveryId: row.id,
      attemptedAt: row.lastAttemptedAt,
      statusCode: row.lastStatusCode,
      durationMs: row.lastDurationMs ?? 0,
      error: row.lastError,
      responseBody: row.lastResponseBody,
      responseHeaders: row.lastResponseHeaders,
    },
  ];
}

/** What one attempt decided for its delivery. */
export type AttemptOutcome =
  | { readonly status: "delivered" }
  | { readonly status: "pending"; readonly nextAttemptAt: Date }
  | { readonly status: "failed" };

/**
 * A delivery a worker holds the lease on, with what sending it takes and no more (the
 * claim is the delivery engine's hottest query: see ../claimed-row.ts).
 */
export interface ClaimedDelivery {
  readonly delivery: Pick<Delivery, "id" | "attemptCount">;
  readonly event: Pick<StoredEvent, "id" | "type" | "occurredAt" | "payload">;
  readonly endpoint: Pick<Endpoint, "id" | "url" | "secret"> & {
    /** The secret before a rotation, while it still signs too (SECRET_ROTATION_OVERLAP). */
    readonly previousSecret: string | null;
  };
}

/** One attempt to record; see DeliveryStore.finishAttempts. */
export interface FinishedAttempt {
  readonly deliveryId: string;
  /** The delivery's endpoint, whose health follows its attempts (../health-changes.ts). */
  readonly endpointId: string;
  /** The delivery's event, named in what hookyard announces (./operational-events.ts). */
  readonly eventId: string;
  readonly eventType: string;
  /** The lease holder that made the attempt. */
  readonly holder: string;
  readonly attempt: NewAttempt;
  readonly outcome: AttemptOutcome;
  /** Disables the delivery's endpoint with this reason (it answered 410). */
  readonly disableEndpoint?: string | undefined;
}

/** What recording one attempt did; see DeliveryStore.finishAttempts. */
export interface RecordedAttempt {
  /** False when the lease was no longer the caller's: the attempt was not recorded. */
  readonly recorded: boolean;
  /** On the attempt whose record disabled its endpoint: the reason. */
  readonly endpointDisabled?: string;
  /** On the success that ended its endpoint's failures: how many it ended. */
  readonly endpointRecovered?: number;
}

export interface DeliveryFilter {
  readonly endpointId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly status?: DeliveryStatus | undefined;
  /** The delivery's event type: exact, or `prefix.*` (as EventFilter.type). */
  readonly eventType?: string | undefined;
  /** Created at or after. */
  readonly since?: Date | undefined;
  /** Created at or before. */
  readonly until?: Date | undefined;
}

export interface QueueStats {
  readonly byStatus: Readonly<Record<string, number>>;
  /** When the longest-waiting due item became due; null when none waits. */
  readonly oldestDueAt: Date | null;
}

export interface DeliveryStore {
  /**
   * Leases up to `limit` pending deliveries that are due, whose endpoint is enabled and
   * that no live lease holds. A lease that expired (its worker died) is taken over.
   */
  claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<ClaimedDelivery[]>;
  /**
   * Records each attempt with its outcome and releases its lease, all in one transaction
   * (a worker records what finished in the same tick together: a commit per attempt was
   * most of the cost of a delivery). An attempt whose `holder` no longer holds the lease
   * (it expired and another worker took over) is not recorded: `recorded` false at its index.
   *
   * In the same transaction, each endpoint's health follows its attempts, an endpoint is
   * disabled by a 410 or by `policy.disableAfterMs` of failures (../health-changes.ts), and
   * what changed is stored as hookyard's own events (../operational-events.ts): a
   * delivery whose last attempt failed, an endpoint disabled, an endpoint recovered.
   */
  finishAttempts(
    finished: readonly FinishedAttempt[],
    policy?: HealthPolicy,
  ): Promise<RecordedAttempt[]>;
  get(id: string): Promise<Delivery | undefined>;
  attempts(deliveryId: string): Promise<readonly DeliveryAttempt[]>;
  /** Newest first. */
  list(
    filter: DeliveryFilter,
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<Delivery, TimeCursor>>;
  /** Makes a delivery pending again, due now, with a fresh retry schedule. Undefined when unknown. */
  retry(id: string, now: Date): Promise<Delivery | undefined>;
  /** When the next pending delivery falls due, so an idle worker knows how long it may sleep. */
  nextDueAt(): Promise<Date | null>;
  stats(now: Date): Promise<QueueStats>;
}
