/**
 * One claimed delivery, start to finish: check the destination again (DNS may have
 * changed since the endpoint was saved), sign and send one attempt to an address that
 * check approved, decide what comes next (./retry-schedule.ts), and record the attempt
 * with its outcome while the lease is still ours. Whatever the receiver does ends as a
 * recorded attempt; only the database being unreachable for the whole lease leaves the
 * delivery to be claimed again.
 */
import { timeLimit } from "../lib/time-limit.ts";
import type { Logger } from "../ops/log.ts";
import type { Metrics } from "../ops/metrics.ts";
import { retryWithinLease } from "../ops/within-lease.ts";
import type {
  ClaimedDelivery,
  FinishedAttempt,
  NewAttempt,
  RecordedAttempt,
  AttemptOutcome as StoredOutcome,
} from "../store/deliveries.ts";
import { type AttemptResult, attemptDelivery, type FetchFunction } from "./attempt.ts";
import { buildDeliveryRequest } from "./request.ts";
import { type AttemptOutcome, decideAfterAttempt } from "./retry-schedule.ts";
import { assertPublicDestination, type DestinationCheck, type HostLookup } from "./ssrf.ts";

export const GONE_REASON = "endpoint answered 410 Gone";

/** Label values of `hookyard_delivery_attempts_total`. */
export type AttemptMetric = "delivered" | "retrying" | "failed" | "gone";

export interface DeliverySettings {
  /** DELIVERY_RETRY_SCHEDULE: delays before retry 1, 2, …. */
  readonly scheduleMs: readonly number[];
  /** DELIVERY_TIMEOUT: bounds the DNS check and, separately, the attempt. */
  readonly timeoutMs: number;
  /** ALLOW_PRIVATE_ENDPOINTS: skips the destination check. */
  readonly allowPrivate: boolean;
  /** hookyard's version, for the user agent. */
  readonly version: string;
}

export interface DeliverDeps {
  /** Records one finished attempt (batched with others: ../lib/group-commit.ts). */
  readonly recordAttempt: (finished: FinishedAttempt) => Promise<RecordedAttempt>;
  /** The lease holder this worker claimed with. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly settings: DeliverySettings;
  readonly now: () => Date;
  readonly log: Logger;
  readonly metrics: Pick<Metrics, "deliveries">;
  readonly lookup?: HostLookup;
  readonly fetch?: FetchFunction;
}

/** What an attempt's verdict means for the stored delivery. */
export interface Settlement {
  readonly outcome: StoredOutcome;
  readonly metric: AttemptMetric;
  /** Set when the endpoint must be disabled, with the reason shown to users. */
  readonly disableEndpoint?: string;
}

export function settle(decision: AttemptOutcome): Settlement {
  switch (decision.kind) {
    case "delivered":
      return { outcome: { status: "delivered" }, metric: "delivered" };
    case "retry":
      return { outcome: { status: "pending", nextAttemptAt: decision.at }, metric: "retrying" };
    case "endpoint-gone":
      return { outcome: { status: "failed" }, metric: "gone", disableEndpoint: GONE_REASON };
    case "failed":
      return { outcome: { status: "failed" }, metric: "failed" };
  }
}

/** The attempt as stored: no response → no status and no body. */
export function attemptRecord(result: AttemptResult, attemptedAt: Date): NewAttempt {
  return {
    attemptedAt,
    statusCode: result.status ?? null,
    durationMs: Math.max(0, Math.round(result.durationMs)),
    error: result.ok ? null : storableText(result.error),
    responseBody: result.status === undefined ? null : storableText(result.responseBody),
    responseHeaders: result.responseHeaders ?? null,
  };
}

/** PostgreSQL text cannot hold NUL, and a receiver may answer with binary: keep it visible, not fatal. */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

/** An attempt that was made; `recorded` settles once it is on record. */
export interface MadeAttempt {
  /** The settlement, once recorded; rejects only if the attempt could not be recorded. */
  readonly recorded: Promise<Settlement>;
}

/**
 * Makes one attempt at a claimed delivery, and resolves as soon as the attempt is made:
 * recording it (batched with others, ../lib/group-commit.ts) goes on meanwhile, so a
 * worker's slot is free for the next attempt instead of waiting on the database.
 */
export async function deliverClaimed(
  claimed: ClaimedDelivery,
  deps: DeliverDeps,
): Promise<MadeAttempt> {
  const { delivery } = claimed;
  const leaseEndsAt = deps.now().getTime() + deps.leaseMs;
  const attemptedAt = deps.now();
  const result = await sendOnce(claimed, deps, attemptedAt);
  const settlement = settle(
    decideAfterAttempt({
      schedule: deps.settings.scheduleMs,
      attemptsMade: delivery.attemptCount + 1,
      now: deps.now(),
      attempt: result,
    }),
  );
  return { recorded: record(claimed, deps, result, attemptedAt, settlement, leaseEndsAt) };
}

async function record(
  { delivery, event, endpoint }: ClaimedDelivery,
  deps: DeliverDeps,
  result: AttemptResult,
  attemptedAt: Date,
  settlement: Settlement,
  leaseEndsAt: number,
): Promise<Settlement> {
  // The attempt happened: losing its record would send the message again.
  const { recorded, endpointDisabled, endpointRecovered } = await retryWithinLease(
    () =>
      deps.recordAttempt({
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        holder: deps.holder,
        attempt: attemptRecord(result, attemptedAt),
        outcome: settlement.outcome,
        disableEndpoint: settlement.disableEndpoint,
      }),
    leaseEndsAt,
    deps.now,
  );
  const fields = {
    delivery_id: delivery.id,
    event_id: event.id,
    endpoint_id: endpoint.id,
    attempt: delivery.attemptCount + 1,
    status_code: result.status ?? null,
    duration_ms: result.durationMs,
    outcome: settlement.metric,
    ...(result.ok ? {} : { error: result.error }),
    ...(settlement.outcome.status === "pending"
      ? { next_attempt_at: settlement.outcome.nextAttemptAt.toISOString() }
      : {}),
  };
  if (!recorded) {
    // The delivery was deleted meanwhile (with its endpoint, or by retention), or our lease
    // ran out mid-attempt and another worker took it over: its attempt is the one on record.
    deps.log.warn("delivery attempt not recorded: the delivery is gone or no longer ours", fields);
    return settlement;
  }
  deps.metrics.deliveries.inc({ outcome: settlement.metric });
  deps.log.info("delivery attempt", fields);
  if (endpointDisabled !== undefined) {
    deps.log.warn("endpoint disabled", { endpoint_id: endpoint.id, reason: endpointDisabled });
  }
  if (endpointRecovered !== undefined) {
    deps.log.info("endpoint recovered", {
      endpoint_id: endpoint.id,
      failed_attempts: endpointRecovered,
    });
  }
  return settlement;
}

async function sendOnce(
  claimed: ClaimedDelivery,
  deps: DeliverDeps,
  attemptedAt: Date,
): Promise<AttemptResult> {
  const { event, endpoint } = claimed;
  const { timeoutMs, allowPrivate, version } = deps.settings;
  const started = performance.now();
  const failed = (error: string): AttemptResult => ({
    ok: false,
    status: undefined,
    durationMs: Math.round(performance.now() - started),
    error,
    responseBody: "",
  });

  // Checked, the attempt connects to the checked addresses: resolving the name again could
  // answer another one (DNS rebinding). With ALLOW_PRIVATE_ENDPOINTS nothing is checked and
  // nothing pinned: every address is allowed, so a second resolution reaches nothing the
  // operator has not allowed, and fetch resolving the name keeps its happy eyeballs.
  let connectTo: readonly string[] | undefined;
  if (!allowPrivate) {
    const check = await withinTimeout(
      assertPublicDestination(endpoint.url, {
        allowPrivate,
        ...(deps.lookup ? { lookup: deps.lookup } : {}),
      }),
      timeoutMs,
    );
    if (!check.ok) return failed(`refused: ${check.message}`);
    connectTo = check.addresses;
  }

  let request: ReturnType<typeof buildDeliveryRequest>;
  try {
    request = buildDeliveryRequest({
      // The event id: the same webhook-id on every attempt and every manual redelivery,
      // so that receivers dedupe on it.
      messageId: event.id,
      type: event.type,
      timestamp: event.occurredAt,
      data: event.payload,
      secret: endpoint.secret,
      previousSecret: endpoint.previousSecret,
      version,
      // This attempt's time, fresh on every attempt (receivers refuse old timestamps), and
      // the one its record keeps: the request's headers are rebuilt from it (request.ts).
      sentAt: attemptedAt,
    });
  } catch (error) {
    return failed(`cannot sign the request: ${(error as Error).message}`);
  }
  return attemptDelivery({
    url: endpoint.url,
    body: request.body,
    headers: request.headers,
    connectTo,
    timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

/** A resolver that hangs must not hold the attempt (and its lease) open. */
function withinTimeout(check: Promise<DestinationCheck>, ms: number): Promise<DestinationCheck> {
  return timeLimit(check, ms, () => ({
    ok: false,
    reason: "unresolvable",
    message: `endpoint URL host lookup timed out after ${ms} ms`,
  }));
}
