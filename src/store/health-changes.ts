/**
 * How a batch of attempt records changes each endpoint's health (./endpoint-health.ts):
 * failures since its last success and when the first of them was made, its last attempt,
 * and the two changes hookyard announces (./operational-events.ts): disabled (a 410, or
 * every attempt failing for ENDPOINT_DISABLE_AFTER) and recovered (a success after
 * failures). Pure: SQLite applies it as is (./sqlite/finish-attempts.ts); PostgreSQL
 * applies the same rules in the statement that records the batch (./pg/finish-attempts.ts).
 *
 * Auto-disable is decided here, when a failure is recorded, rather than by a job that
 * looks for failing endpoints: "every attempt has failed for 5 days" can only become true
 * when an attempt fails (time passing without attempts proves nothing about the endpoint),
 * so the check costs nothing on the success path, needs no lock among instances nor
 * polling, and the endpoint is disabled, with its event, in the transaction of the
 * failure that decided it.
 */
import type { FinishedAttempt } from "./deliveries.ts";
import {
  type CausingAttempt,
  type EndpointRef,
  endpointDisabled,
  endpointRecovered,
  failingReason,
  type OperationalEvent,
} from "./operational-events.ts";

/**
 * While nothing else changes (a healthy endpoint's successes), its last attempt time is
 * written at most this often: a write per batch per endpoint would cost the success path
 * a row update, and make instances that record attempts to one endpoint wait for each
 * other's row lock.
 */
export const LAST_ATTEMPT_PRECISION_MS = 1_000;

/** What one batch of attempts did to one endpoint, in the order they were made. */
export interface EndpointBatch {
  readonly endpointId: string;
  readonly last: CausingAttempt;
  /** The batch's first success: it ends the failures made before it. */
  readonly firstSuccess: CausingAttempt | null;
  /** Failures before that success (0 without one), and when the first of them was made. */
  readonly failuresBefore: number;
  readonly firstFailureBeforeAt: Date | null;
  /** Failures after the batch's last success (all of them without one). */
  readonly failuresAfter: number;
  readonly firstFailureAfterAt: Date | null;
  /** The latest of those. */
  readonly lastFailure: CausingAttempt | null;
  /** An attempt answered 410: the endpoint is to be disabled with this reason. */
  readonly gone: (CausingAttempt & { readonly reason: string }) | null;
}

/** Each endpoint's share of a batch, in the order of their first attempt in it. */
export function batchesByEndpoint(finished: readonly FinishedAttempt[]): EndpointBatch[] {
  const byEndpoint = new Map<string, FinishedAttempt[]>();
  for (const item of finished) {
    const list = byEndpoint.get(item.endpointId);
    if (list) list.push(item);
    else byEndpoint.set(item.endpointId, [item]);
  }
  return [...byEndpoint].map(([endpointId, items]) => endpointBatch(endpointId, items));
}

function endpointBatch(endpointId: string, items: readonly FinishedAttempt[]): EndpointBatch {
  const ordered = [...items].sort(
    (a, b) => a.attempt.attemptedAt.getTime() - b.attempt.attemptedAt.getTime(),
  );
  let firstSuccess: CausingAttempt | null = null;
  let failuresBefore = 0;
  let firstFailureBeforeAt: Date | null = null;
  let failuresAfter = 0;
  let firstFailureAfterAt: Date | null = null;
  let lastFailure: CausingAttempt | null = null;
  let gone: EndpointBatch["gone"] = null;
  for (const item of ordered) {
    const attempt = causing(item);
    if (item.outcome.status === "delivered") {
      firstSuccess ??= attempt;
      failuresAfter = 0;
      firstFailureAfterAt = null;
      lastFailure = null;
      continue;
    }
    if (firstSuccess === null) {
      firstFailureBeforeAt ??= attempt.at;
    }
    failuresAfter++;
    firstFailureAfterAt ??= attempt.at;
    lastFailure = attempt;
    if (item.disableEndpoint !== undefined && gone === null) {
      gone = { ...attempt, reason: item.disableEndpoint };
    }
  }
  if (firstSuccess !== null) {
    failuresBefore = ordered.findIndex((item) => item.outcome.status === "delivered");
  } else {
    firstFailureBeforeAt = null;
  }
  const last = ordered[ordered.length - 1] as FinishedAttempt;
  return {
    endpointId,
    last: causing(last),
    firstSuccess,
    failuresBefore,
    firstFailureBeforeAt,
    failuresAfter,
    firstFailureAfterAt,
    lastFailure,
    gone,
  };
}

function causing(item: FinishedAttempt): CausingAttempt {
  return {
    deliveryId: item.deliveryId,
    eventId: item.eventId,
    at: item.attempt.attemptedAt,
    statusCode: item.attempt.statusCode,
  };
}

/** An endpoint's health as its row keeps it. */
export interface HealthState {
  readonly enabled: boolean;
  readonly consecutiveFailures: number;
  readonly failingSince: Date | null;
  readonly lastAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
}

export interface HealthPolicy {
  /** ENDPOINT_DISABLE_AFTER; undefined: never. */
  readonly disableAfterMs?: number | undefined;
}

export interface HealthChange {
  /** False when nothing is worth writing (see LAST_ATTEMPT_PRECISION_MS). */
  readonly write: boolean;
  readonly next: HealthState;
  /** Set when this batch disabled the endpoint: why, and by which attempt. */
  readonly disabled: { readonly reason: string; readonly by: CausingAttempt } | null;
  /** Set when a success of this batch ended failures: how many, and which success. */
  readonly recovered: { readonly failedAttempts: number; readonly by: CausingAttempt } | null;
  /** What to announce: recovered, disabled, or both (a success, then failures and a 410). */
  readonly events: readonly OperationalEvent[];
}

export function applyBatch(
  endpoint: EndpointRef,
  previous: HealthState,
  batch: EndpointBatch,
  policy: HealthPolicy,
): HealthChange {
  const { firstSuccess } = batch;
  const endedFailures = firstSuccess ? previous.consecutiveFailures + batch.failuresBefore : 0;
  const consecutiveFailures = firstSuccess
    ? batch.failuresAfter
    : previous.consecutiveFailures + batch.failuresAfter;
  const failingSince =
    batch.failuresAfter === 0
      ? firstSuccess
        ? null
        : previous.failingSince
      : firstSuccess
        ? batch.firstFailureAfterAt
        : (previous.failingSince ?? batch.firstFailureAfterAt);
  // Instances record in parallel: an older batch committed late keeps the newer attempt.
  const newer =
    previous.lastAttemptAt === null || batch.last.at.getTime() >= previous.lastAttemptAt.getTime();

  let disabledReason: string | null = null;
  let cause: "gone" | "failing" = "gone";
  let disabledBy: CausingAttempt | null = null;
  if (previous.enabled && batch.gone) {
    disabledReason = batch.gone.reason;
    disabledBy = batch.gone;
  } else if (
    previous.enabled &&
    policy.disableAfterMs !== undefined &&
    batch.lastFailure !== null &&
    failingSince !== null &&
    batch.lastFailure.at.getTime() - failingSince.getTime() >= policy.disableAfterMs
  ) {
    disabledReason = failingReason(policy.disableAfterMs, failingSince);
    cause = "failing";
    disabledBy = batch.lastFailure;
  }

  const events: OperationalEvent[] = [];
  const recoveredBy = firstSuccess !== null && endedFailures > 0 ? firstSuccess : null;
  if (recoveredBy) {
    events.push(
      endpointRecovered({
        endpoint,
        failedAttempts: endedFailures,
        failingSince: previous.failingSince ?? batch.firstFailureBeforeAt,
        attempt: recoveredBy,
      }),
    );
  }
  if (disabledReason !== null && disabledBy !== null) {
    events.push(
      endpointDisabled({
        endpoint,
        reason: disabledReason,
        cause,
        consecutiveFailures,
        failingSince,
        attempt: disabledBy,
      }),
    );
  }

  const lastAttemptChanged =
    previous.lastAttemptAt === null ||
    batch.last.at.getTime() - previous.lastAttemptAt.getTime() >= LAST_ATTEMPT_PRECISION_MS ||
    previous.lastStatusCode !== batch.last.statusCode;
  const write =
    batch.failuresBefore + batch.failuresAfter > 0 ||
    batch.gone !== null ||
    (firstSuccess !== null && previous.consecutiveFailures > 0) ||
    lastAttemptChanged;
  return {
    write,
    next: {
      enabled: previous.enabled && disabledReason === null,
      consecutiveFailures,
      failingSince,
      lastAttemptAt: newer ? batch.last.at : previous.lastAttemptAt,
      lastStatusCode: newer ? batch.last.statusCode : previous.lastStatusCode,
    },
    disabled:
      disabledReason !== null && disabledBy !== null
        ? { reason: disabledReason, by: disabledBy }
        : null,
    recovered: recoveredBy ? { failedAttempts: endedFailures, by: recoveredBy } : null,
    events,
  };
}
