/**
 * The delivery claim is the worker's hot path, so both dialects claim with one hand-written
 * statement (drizzle's builder rebuilt the query on every claim and cost most of the
 * worker's CPU). Both select the same columns under these names; only how a timestamp and
 * a JSON value come back differs, and `decode` says how.
 */
import type { ClaimedDelivery } from "./deliveries.ts";

/**
 * The select list of a claim: a delivery joined with its event (`ev`) and endpoint (`en`),
 * only the columns sending takes. Every column is formatted by the database and parsed by
 * the client once per delivery; the rest of the event and endpoint went unused.
 */
export const CLAIMED_COLUMNS = `d.id, d.event_id, d.endpoint_id, d.attempt_count,
  ev.type as ev_type, ev.occurred_at as ev_occurred_at, ev.payload as ev_payload,
  en.url as en_url, en.secret as en_secret,
  en.previous_secret as en_previous_secret, en.previous_secret_until as en_previous_until`;

/** A timestamp or JSON value as the driver returns it. */
type Raw = unknown;

export interface ClaimedRow {
  readonly id: string;
  readonly event_id: string;
  readonly endpoint_id: string;
  readonly attempt_count: number;
  readonly ev_type: string;
  readonly ev_occurred_at: Raw;
  readonly ev_payload: Raw;
  readonly en_url: string;
  readonly en_secret: string;
  /** Null except during a rotation's overlap (and until the next rotation after it). */
  readonly en_previous_secret: string | null;
  readonly en_previous_until: Raw;
}

export interface RowDecoding {
  readonly date: (value: Raw) => Date;
  readonly json: (value: Raw) => unknown;
}

/** @param now the claim's time: a previous secret whose overlap ended by then signs nothing. */
export function claimedFromRow(
  row: ClaimedRow,
  decode: RowDecoding,
  now: Date = new Date(),
): ClaimedDelivery {
  const previousSecret =
    row.en_previous_secret !== null &&
    row.en_previous_until !== null &&
    decode.date(row.en_previous_until).getTime() > now.getTime()
      ? row.en_previous_secret
      : null;
  return {
    delivery: { id: row.id, attemptCount: row.attempt_count },
    event: {
      id: row.event_id,
      type: row.ev_type,
      occurredAt: decode.date(row.ev_occurred_at),
      payload: decode.json(row.ev_payload),
    },
    endpoint: { id: row.endpoint_id, url: row.en_url, secret: row.en_secret, previousSecret },
  };
}
