/**
 * hookyard's own events, about its endpoints and deliveries: stored like any other event
 * (source `hookyard`) in the same transaction as the attempt record that caused them, so
 * that each change is announced exactly once, crash or not; delivered like any other event
 * to the endpoints that subscribe to them by name (../delivery/event-types.ts), never to the
 * endpoint they are about: a failing endpoint would otherwise feed itself.
 *
 * The payloads are part of the API (README, "Operational events"). SQLite builds them
 * with these functions; PostgreSQL in the statement that records the attempts
 * (./pg/finish-attempts.ts), to the same shapes, which the store contract tests hold.
 */
import { formatDuration } from "../config/units.ts";
import { isOperationalEventType } from "../delivery/event-types.ts";
import type { FinishedAttempt } from "./deliveries.ts";

export const OPERATIONAL_SOURCE = "hookyard";

export const ENDPOINT_DISABLED = "hookyard.endpoint.disabled";
export const ENDPOINT_RECOVERED = "hookyard.endpoint.recovered";
export const DELIVERY_EXHAUSTED = "hookyard.delivery.exhausted";

export type OperationalEventType =
  | typeof ENDPOINT_DISABLED
  | typeof ENDPOINT_RECOVERED
  | typeof DELIVERY_EXHAUSTED;

export interface EndpointRef {
  readonly id: string;
  readonly url: string;
}

/** The attempt that caused the change. */
export interface CausingAttempt {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly at: Date;
  /** Null when no response came. */
  readonly statusCode: number | null;
}

export interface EndpointDisabledPayload {
  readonly endpoint: EndpointRef;
  /** As `disabled_reason` on the endpoint. */
  readonly reason: string;
  /** `gone`: it answered 410; `failing`: every attempt failed for ENDPOINT_DISABLE_AFTER. */
  readonly cause: "gone" | "failing";
  readonly disabled_at: string;
  readonly consecutive_failures: number;
  readonly failing_since: string | null;
  readonly delivery_id: string;
  readonly event_id: string;
  readonly status_code: number | null;
}

export interface EndpointRecoveredPayload {
  readonly endpoint: EndpointRef;
  readonly recovered_at: string;
  /** The failed attempts this success ended. */
  readonly failed_attempts: number;
  /** When the first of them was made. */
  readonly failing_since: string | null;
  readonly delivery_id: string;
  readonly event_id: string;
  readonly status_code: number | null;
}

export interface DeliveryExhaustedPayload {
  readonly endpoint: EndpointRef;
  readonly delivery_id: string;
  readonly event_id: string;
  readonly event_type: string;
  /** Attempts made since the delivery was created or last retried by hand. */
  readonly attempts: number;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly failed_at: string;
}

/** One operational event to store, with the endpoint it is about (which never receives it). */
export interface OperationalEvent {
  readonly type: OperationalEventType;
  readonly about: string;
  readonly at: Date;
  readonly payload: EndpointDisabledPayload | EndpointRecoveredPayload | DeliveryExhaustedPayload;
}

/**
 * A delivery whose last attempt failed is announced, unless its endpoint answered 410 (the
 * endpoint's disable says more) or it carried one of hookyard's own events: two endpoints
 * that both fail and subscribe to each other's news would otherwise feed each other forever.
 */
export function isExhausted(item: FinishedAttempt): boolean {
  return (
    item.outcome.status === "failed" &&
    item.disableEndpoint === undefined &&
    !isOperationalEventType(item.eventType)
  );
}

/** `disabled_reason` for an endpoint disabled by ENDPOINT_DISABLE_AFTER. */
export function failingReason(afterMs: number, since: Date): string {
  return `${failingReasonPrefix(afterMs)}${since.toISOString()})`;
}

/** The reason up to its date, which PostgreSQL completes from the endpoint's row. */
export function failingReasonPrefix(afterMs: number): string {
  return `every delivery failed for ${formatDuration(afterMs)} (since `;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function endpointDisabled(input: {
  readonly endpoint: EndpointRef;
  readonly reason: string;
  readonly cause: "gone" | "failing";
  readonly consecutiveFailures: number;
  readonly failingSince: Date | null;
  readonly attempt: CausingAttempt;
}): OperationalEvent {
  const { endpoint, attempt } = input;
  return {
    type: ENDPOINT_DISABLED,
    about: endpoint.id,
    at: attempt.at,
    payload: {
      endpoint: { id: endpoint.id, url: endpoint.url },
      reason: input.reason,
      cause: input.cause,
      disabled_at: attempt.at.toISOString(),
      consecutive_failures: input.consecutiveFailures,
      failing_since: iso(input.failingSince),
      delivery_id: attempt.deliveryId,
      event_id: attempt.eventId,
      status_code: attempt.statusCode,
    },
  };
}

export function endpointRecovered(input: {
  readonly endpoint: EndpointRef;
  readonly failedAttempts: number;
  readonly failingSince: Date | null;
  readonly attempt: CausingAttempt;
}): OperationalEvent {
  const { endpoint, attempt } = input;
  return {
    type: ENDPOINT_RECOVERED,
    about: endpoint.id,
    at: attempt.at,
    payload: {
      endpoint: { id: endpoint.id, url: endpoint.url },
      recovered_at: attempt.at.toISOString(),
      failed_attempts: input.failedAttempts,
      failing_since: iso(input.failingSince),
      delivery_id: attempt.deliveryId,
      event_id: attempt.eventId,
      status_code: attempt.statusCode,
    },
  };
}

export function deliveryExhausted(input: {
  readonly endpoint: EndpointRef;
  readonly eventType: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly attempt: CausingAttempt;
}): OperationalEvent {
  const { endpoint, attempt } = input;
  return {
    type: DELIVERY_EXHAUSTED,
    about: endpoint.id,
    at: attempt.at,
    payload: {
      endpoint: { id: endpoint.id, url: endpoint.url },
      delivery_id: attempt.deliveryId,
      event_id: attempt.eventId,
      event_type: input.eventType,
      attempts: input.attempts,
      last_status_code: attempt.statusCode,
      last_error: input.lastError,
      failed_at: attempt.at.toISOString(),
    },
  };
}
