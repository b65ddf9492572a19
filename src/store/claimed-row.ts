/**
 * The delivery claim is the worker's hot path, so both dialects claim with one hand-written
 * statement (drizzle's builder rebuilt the query on every claim and cost most of the
 * worker's CPU). Both select the same columns under these names; only how a timestamp,
 * a JSON value and a boolean come back differs, and `decode` says how.
 */
import type { ClaimedDelivery, DeliveryStatus } from "./deliveries.ts";

/** The select list of a claim: a delivery joined with its event (`ev`) and endpoint (`en`). */
export const CLAIMED_COLUMNS = `d.id, d.event_id, d.endpoint_id, d.status, d.attempt_count, d.next_attempt_at,
  d.last_status_code, d.last_error, d.created_at, d.updated_at, d.delivered_at,
  ev.source as ev_source, ev.type as ev_type, ev.entity_type as ev_entity_type,
  ev.entity_id as ev_entity_id, ev.action as ev_action, ev.occurred_at as ev_occurred_at,
  ev.received_at as ev_received_at, ev.payload as ev_payload, ev.headers as ev_headers,
  en.url as en_url, en.description as en_description, en.secret as en_secret,
  en.event_types as en_event_types, en.enabled as en_enabled, en.disabled_reason as en_disabled_reason,
  en.created_at as en_created_at, en.updated_at as en_updated_at`;

/** A timestamp, JSON value or boolean as the driver returns it. */
type Raw = unknown;

export interface ClaimedRow {
  readonly id: string;
  readonly event_id: string;
  readonly endpoint_id: string;
  readonly status: string;
  readonly attempt_count: number;
  readonly next_attempt_at: Raw;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly created_at: Raw;
  readonly updated_at: Raw;
  readonly delivered_at: Raw;
  readonly ev_source: string;
  readonly ev_type: string;
  readonly ev_entity_type: string | null;
  readonly ev_entity_id: string | null;
  readonly ev_action: string | null;
  readonly ev_occurred_at: Raw;
  readonly ev_received_at: Raw;
  readonly ev_payload: Raw;
  readonly ev_headers: Raw;
  readonly en_url: string;
  readonly en_description: string;
  readonly en_secret: string;
  readonly en_event_types: Raw;
  readonly en_enabled: Raw;
  readonly en_disabled_reason: string | null;
  readonly en_created_at: Raw;
  readonly en_updated_at: Raw;
}

export interface RowDecoding {
  readonly date: (value: Raw) => Date;
  readonly json: (value: Raw) => unknown;
  readonly bool: (value: Raw) => boolean;
}

export function claimedFromRow(row: ClaimedRow, decode: RowDecoding): ClaimedDelivery {
  const optionalDate = (value: Raw) => (value === null ? null : decode.date(value));
  return {
    delivery: {
      id: row.id,
      eventId: row.event_id,
      endpointId: row.endpoint_id,
      status: row.status as DeliveryStatus,
      attemptCount: row.attempt_count,
      nextAttemptAt: optionalDate(row.next_attempt_at),
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      createdAt: decode.date(row.created_at),
      updatedAt: decode.date(row.updated_at),
      deliveredAt: optionalDate(row.delivered_at),
    },
    event: {
      id: row.event_id,
      source: row.ev_source,
      type: row.ev_type,
      entityType: row.ev_entity_type,
      entityId: row.ev_entity_id,
      action: row.ev_action,
      occurredAt: decode.date(row.ev_occurred_at),
      receivedAt: decode.date(row.ev_received_at),
      payload: decode.json(row.ev_payload),
      headers: decode.json(row.ev_headers) as Record<string, string>,
    },
    endpoint: {
      id: row.endpoint_id,
      url: row.en_url,
      description: row.en_description,
      secret: row.en_secret,
      eventTypes: decode.json(row.en_event_types) as string[],
      enabled: decode.bool(row.en_enabled),
      disabledReason: row.en_disabled_reason,
      createdAt: decode.date(row.en_created_at),
      updatedAt: decode.date(row.en_updated_at),
    },
  };
}
