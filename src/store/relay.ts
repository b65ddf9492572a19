/**
 * The Svix relay outbox: every accepted notification is stored here before hookyard
 * answers, then sent by workers that claim messages with a lease, like deliveries.
 */
import type { TimeCursor } from "./cursor.ts";
import type { Page } from "./events.ts";

/**
 * queued: waiting to be sent; held: kept until SVIX_TOKEN is set; sent: Svix has it;
 * failed: gave up (a 4xx, or RELAY_MAX_AGE passed), retryable by hand; rejected: a
 * Pub/Sub envelope that held no valid event, kept for inspection.
 */
export type RelayStatus = "queued" | "held" | "sent" | "failed" | "rejected";

export interface RelayMessage {
  readonly id: string;
  readonly project: string | null;
  readonly eventId: string | null;
  readonly eventType: string | null;
  /** The event as received (for a rejected envelope, the envelope). */
  readonly payload: unknown;
  readonly status: RelayStatus;
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  readonly receivedAt: Date;
  readonly queuedAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly sentAt: Date | null;
  readonly svixMessageId: string | null;
  /** Why the last attempt failed, or why the envelope was rejected. */
  readonly lastError: string | null;
  readonly pubsubMessageId: string | null;
}

export type NewRelayMessage =
  | {
      readonly status: "queued" | "held";
      readonly project: string;
      readonly eventId: string;
      readonly eventType: string;
      readonly payload: unknown;
      readonly pubsubMessageId?: string | null;
    }
  | {
      readonly status: "rejected";
      readonly payload: unknown;
      readonly reason: string;
      readonly pubsubMessageId?: string | null;
    };

export type AcceptResult =
  | { readonly status: "stored"; readonly message: RelayMessage }
  /** The project already has an event with this id. */
  | { readonly status: "duplicate"; readonly id: string | null };

/** What one send decided. `deferred` moves the message without counting an attempt (its project is rate limited). */
export type RelayOutcome =
  | { readonly status: "sent"; readonly svixMessageId: string | null }
  | { readonly status: "queued"; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly status: "failed"; readonly error: string }
  | { readonly status: "deferred"; readonly nextAttemptAt: Date };

export interface RelaySummaryRow {
  readonly project: string | null;
  readonly status: RelayStatus;
  readonly count: number;
}

export interface RelayStore {
  /** Stores a message; unique per (project, event id), decided by the database. */
  accept(message: NewRelayMessage, now: Date): Promise<AcceptResult>;
  /** Leases up to `limit` queued messages that are due and not leased elsewhere. */
  claimDue(
    now: Date,
    limit: number,
    lease: { ms: number; holder: string },
  ): Promise<RelayMessage[]>;
  /** Records the outcome and releases the lease; false when `holder` lost the lease. */
  finish(id: string, holder: string, outcome: RelayOutcome, now: Date): Promise<boolean>;
  get(id: string): Promise<RelayMessage | undefined>;
  /** Newest first. */
  list(
    filter: { readonly status?: RelayStatus | undefined; readonly project?: string | undefined },
    page: { limit: number; after?: TimeCursor | undefined },
  ): Promise<Page<RelayMessage, TimeCursor>>;
  /** Queues a failed (or held) message again, due now, with a fresh RELAY_MAX_AGE window. */
  retry(id: string, now: Date): Promise<RelayMessage | undefined>;
  /** Held messages become queued (SVIX_TOKEN is now set); returns how many. */
  releaseHeld(now: Date): Promise<number>;
  nextDueAt(): Promise<Date | null>;
  /** Counts by project and status, for the dashboard and metrics. */
  summary(): Promise<readonly RelaySummaryRow[]>;
  /** When the longest-waiting queued message became due; null when none waits. */
  oldestDueAt(now: Date): Promise<Date | null>;
}
