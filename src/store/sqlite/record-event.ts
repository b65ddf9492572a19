/**
 * Writing one event, its `changes` row and its deliveries: the statements and the insert
 * that ./events.ts runs for a batch on the serving thread, and ./large-event-worker.ts for
 * one large event on a thread of its own (../writer-thread.ts). The row is built apart from the insert, so that
 * a thread is handed only text and numbers, never the parsed payload.
 */
import type { Database, Statement } from "bun:sqlite";
import { matchesEventType } from "../../delivery/event-types.ts";
import { newId } from "../../lib/ids.ts";
import { keptBody, type NewEvent } from "../events.ts";

/** An event as its row is written: its JSON serialized, its times in milliseconds. */
export interface EventInsert {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly entityType: string | null;
  readonly entityId: string | null;
  readonly action: string | null;
  readonly occurredAt: number;
  readonly receivedAt: number;
  /** JSON text, or its UTF-8 bytes (a large body's, decoded where it is written). */
  readonly payload: string | Uint8Array;
  readonly headers: string;
  readonly dedupeKey: string | null;
  /** The `changes` row's JSON, or null for none. */
  readonly change: string | null;
  /** The body as received, when `payload` is not it byte for byte (`bodyInPayload`). */
  readonly bodyText: string | null;
  readonly bodyInPayload: boolean;
  /** The endpoints with a payload filter that take it (../filtered-endpoints.ts). */
  readonly routed: readonly string[];
}

/** From this length of payload JSON on, an event is written on a thread of its own. */
export const LARGE_EVENT_BYTES = 256 * 1024;

export type InsertOutcome =
  | { readonly status: "duplicate"; readonly eventId: string | null }
  | { readonly status: "stored"; readonly changeId: number | null; readonly deliveries: number };

export function eventInsert(
  id: string,
  event: NewEvent,
  change: unknown,
  routed: readonly string[],
): EventInsert {
  const body = keptBody(event);
  return {
    id,
    source: event.source,
    type: event.type,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    action: event.action ?? null,
    occurredAt: event.occurredAt.getTime(),
    receivedAt: event.receivedAt.getTime(),
    payload: event.payloadText ?? JSON.stringify(event.payload),
    headers: JSON.stringify(event.headers),
    dedupeKey: event.dedupeKey ?? null,
    change: change === undefined || change === null ? null : JSON.stringify(change),
    bodyText: body.text,
    bodyInPayload: body.inPayload,
    routed,
  };
}

/** Checked already when it came in. */
const utf8 = new TextDecoder();

export interface RecordStatements {
  readonly insertEvent: Statement;
  readonly insertChange: Statement<{ id: number }>;
  readonly duplicateOf: Statement<{ id: string }>;
  readonly enabledEndpoints: Statement<{ id: string; event_types: string; filtered: number }>;
  readonly insertDelivery: Statement;
}

export function prepareRecordStatements(sqlite: Database): RecordStatements {
  return {
    insertEvent: sqlite.prepare(
      `insert into events (id, source, type, entity_type, entity_id, action, occurred_at, received_at, payload, headers, dedupe_key, body_text, body_in_payload)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (source, dedupe_key) do nothing`,
    ),
    insertChange: sqlite.prepare<{ id: number }, [string]>(
      "insert into changes (data) values (?) returning id",
    ),
    duplicateOf: sqlite.prepare<{ id: string }, [string, string]>(
      "select id from events where source = ? and dedupe_key = ?",
    ),
    enabledEndpoints: sqlite.prepare<{ id: string; event_types: string; filtered: number }, []>(
      "select id, event_types, filter is not null as filtered from endpoints where enabled = 1",
    ),
    insertDelivery: sqlite.prepare(
      `insert into deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
       values (?, ?, ?, 'pending', 0, ?, ?, ?)`,
    ),
  };
}

/** Inserts `row`, inside a transaction the caller opened. */
export function insertEvent(statements: RecordStatements, row: EventInsert): InsertOutcome {
  const inserted = statements.insertEvent.run(
    row.id,
    row.source,
    row.type,
    row.entityType,
    row.entityId,
    row.action,
    row.occurredAt,
    row.receivedAt,
    typeof row.payload === "string" ? row.payload : utf8.decode(row.payload),
    row.headers,
    row.dedupeKey,
    row.bodyText,
    row.bodyInPayload ? 1 : 0,
  );
  if (inserted.changes === 0) {
    return {
      status: "duplicate",
      eventId:
        row.dedupeKey === null
          ? null
          : (statements.duplicateOf.get(row.source, row.dedupeKey)?.id ?? null),
    };
  }
  const changeId =
    row.change === null ? null : (statements.insertChange.get(row.change)?.id ?? null);
  let deliveries = 0;
  for (const endpoint of statements.enabledEndpoints.all()) {
    // A filtered endpoint's types and filter were matched before the write, in the
    // serving process; the others' types are matched here.
    const takes = endpoint.filtered
      ? row.routed.includes(endpoint.id)
      : matchesEventType(JSON.parse(endpoint.event_types) as string[], row.type);
    if (!takes) continue;
    statements.insertDelivery.run(
      newId(),
      row.id,
      endpoint.id,
      row.receivedAt,
      row.receivedAt,
      row.receivedAt,
    );
    deliveries++;
  }
  return { status: "stored", changeId, deliveries };
}
