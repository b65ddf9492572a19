/**
 * Delivery outcomes for live streams (GET /events/stream): the delivery worker announces
 * each recorded attempt here, and every instance's streams hear it (Store.broadcast:
 * NOTIFY on PostgreSQL, in-process on SQLite). Announcing only appends to a buffer, so
 * the worker never waits on it.
 */
import type { Store } from "../store/store.ts";

/** One finished attempt as a stream shows it (the `delivery` SSE event). */
export interface AttemptOutcome {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly endpoint_id: string;
  /** The delivery's status after the attempt: delivered, pending (a retry is scheduled) or failed. */
  readonly status: string;
  /** The receiver's HTTP status; null when no response came. */
  readonly status_code: number | null;
  readonly attempted_at: string;
  readonly duration_ms: number;
  readonly error: string | null;
}

/** What announcing needs of an attempt the worker recorded (the store's FinishedAttempt). */
export interface FinishedAttemptFields {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: {
    readonly attemptedAt: Date;
    readonly statusCode: number | null;
    readonly durationMs: number;
    readonly error: string | null;
  };
  readonly outcome: { readonly status: string };
}

/** An error text is cut to this many characters: a NOTIFY payload is at most 8,000 bytes. */
const MAX_ERROR_CHARS = 300;

/**
 * Tells every instance's live streams about the attempts `finishAttempts` recorded: those
 * at the indexes where `recorded` says so (true, or `{ recorded: true }`). Returns at once.
 */
export function announceAttempts(
  store: Pick<Store, "broadcast">,
  finished: readonly FinishedAttemptFields[],
  recorded: readonly (boolean | { readonly recorded: boolean })[],
): void {
  finished.forEach((attempt, index) => {
    const result = recorded[index];
    if (result === true || (typeof result === "object" && result.recorded)) {
      store.broadcast("attempts", JSON.stringify(attemptOutcome(attempt)));
    }
  });
}

export function attemptOutcome(finished: FinishedAttemptFields): AttemptOutcome {
  const { attempt } = finished;
  return {
    delivery_id: finished.deliveryId,
    event_id: finished.eventId,
    event_type: finished.eventType,
    endpoint_id: finished.endpointId,
    status: finished.outcome.status,
    status_code: attempt.statusCode,
    attempted_at: attempt.attemptedAt.toISOString(),
    duration_ms: attempt.durationMs,
    error: attempt.error === null ? null : attempt.error.slice(0, MAX_ERROR_CHARS),
  };
}

/** A broadcast message read back; undefined when it is not an outcome (another version's). */
export function parseAttemptOutcome(message: string): AttemptOutcome | undefined {
  try {
    const value = JSON.parse(message) as Partial<AttemptOutcome> | null;
    if (
      typeof value?.delivery_id !== "string" ||
      typeof value.event_id !== "string" ||
      typeof value.event_type !== "string" ||
      typeof value.endpoint_id !== "string" ||
      typeof value.status !== "string"
    ) {
      return undefined;
    }
    return value as AttemptOutcome;
  } catch {
    return undefined;
  }
}

/** Calls `listener` with every outcome any instance announces; returns the unsubscribe. */
export function onAttemptOutcomes(
  store: Pick<Store, "onBroadcast">,
  listener: (outcome: AttemptOutcome) => void,
): Promise<() => Promise<void>> {
  return store.onBroadcast("attempts", (message) => {
    const outcome = parseAttemptOutcome(message);
    if (outcome) listener(outcome);
  });
}
