/**
 * What the store keeps of inbound traffic: events from every source, and the `changes`
 * rows that GitHub pushes to a default branch become.
 */
import type { TimeCursor } from "./cursor.ts";

/**
 * The built-in routes events come from: with the names of the sources (./sources.ts), what
 * the API's filters, the stream and the dashboard take as an event's source.
 */
export const EVENT_SOURCES = [
  "github",
  "entity",
  "trigger",
  "hook",
  // hookyard's own operational events (hookyard.endpoint.disabled…)
  "hookyard",
] as const;

export type EventSource = (typeof EVENT_SOURCES)[number];

/** A built-in route, or a source's name (which SOURCE_NAME allows and no built-in takes). */
export type EventOrigin = EventSource | (string & {});

/**
 * The longest entity id an event may carry, in characters. It is an index key, and
 * PostgreSQL refuses a btree key over 2,704 bytes with an error (a GitHub push whose
 * repository name was 1 MB got a 500); 256 characters are at most 1,024 bytes.
 */
export const MAX_ENTITY_ID_LENGTH = 256;

export interface NewEvent {
  readonly source: EventOrigin;
  /** `github.push`, `task.update`, `hook.triggered`… */
  readonly type: string;
  readonly entityType?: string | null;
  readonly entityId?: string | null;
  readonly action?: string | null;
  /** When it happened at the sender (the entity event's `time`, the push time…). */
  readonly occurredAt: Date;
  readonly receivedAt: Date;
  readonly payload: unknown;
  /**
   * The JSON text `payload` was parsed from, when the caller has it and it may be stored as
   * is (../lib/storable.ts, reusableJsonText): saves serializing `payload` again. A large
   * body's comes as its UTF-8 bytes (../http/body.ts, JsonBody.storable), which the
   * stores hand to the thread that writes it without a copy.
   */
  readonly payloadText?: string | Uint8Array | undefined;
  /** Request headers worth keeping to debug a delivery (never auth or signature secrets). */
  readonly headers: Readonly<Record<string, string>>;
  /** The sender's id for this delivery; a second event with the same source and key is a duplicate. */
  readonly dedupeKey?: string | null;
  /**
   * The request body exactly as received, when the payload does not keep it (a source's
   * events: ../sources/): what `hookyard listen` forwards for the receiver to verify.
   */
  readonly body?: RawBody | null;
}

/**
 * A body kept as received: its own text, or `payloadText` itself when that is the body
 * byte for byte (a JSON body stored as it came), which a store then keeps once where it
 * can. Keeping the text twice cost a source a quarter more CPU per request than the
 * GitHub route on SQLite (scripts/bench/ingest-sources.ts).
 */
export type RawBody =
  | { readonly kind: "payload-text" }
  | { readonly kind: "text"; readonly text: string };

const utf8 = new TextDecoder();

/**
 * How a store keeps the body: in the payload's column, when `payloadText` is the body as
 * it came (`inPayload`), else as text of its own (null: no body).
 */
export function keptBody(event: NewEvent): {
  readonly inPayload: boolean;
  readonly text: string | null;
} {
  const inPayload = event.body?.kind === "payload-text" && event.payloadText !== undefined;
  return { inPayload, text: inPayload ? null : rawBodyText(event) };
}

/** The body's text, as a StoredEvent shows it. */
export function rawBodyText(event: NewEvent): string | null {
  const body = event.body;
  if (!body) return null;
  if (body.kind === "text") return body.text;
  const text = event.payloadText;
  if (text === undefined) return JSON.stringify(event.payload);
  return typeof text === "string" ? text : utf8.decode(text);
}

export interface StoredEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly entityType: string | null;
  readonly entityId: string | null;
  readonly action: string | null;
  readonly occurredAt: Date;
  readonly receivedAt: Date;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** The request body exactly as received; null where the payload is all there is. */
  readonly body: string | null;
}

/** The event as it is stored under `id`: what `record` answers, without reading it back. */
export function storedEvent(id: string, event: NewEvent): StoredEvent {
  return {
    id,
    source: event.source,
    type: event.type,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    action: event.action ?? null,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    payload: event.payload,
    headers: event.headers,
    body: rawBodyText(event),
  };
}

export type RecordResult =
  | {
      readonly status: "stored";
      readonly event: StoredEvent;
      /** The `changes` row written in the same transaction, when one was asked for. */
      readonly changeId: number | null;
      /** Deliveries queued for matching enabled endpoints, in the same transaction. */
      readonly deliveries: number;
    }
  | { readonly status: "duplicate"; readonly eventId: string | null };

export interface EventFilter {
  readonly source?: string | undefined;
  /**
   * An exact type, or `prefix.*` for every type under that dotted prefix (`task.*` takes
   * `task.update`, not `tasks.x`), as endpoint filters read it; `*` is every type.
   */
  readonly type?: string | undefined;
  readonly entityId?: string | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  /** Free text, matched case-insensitively against the type, entity id and payload. */
  readonly text?: string | undefined;
}

export interface Page<T, C> {
  readonly items: readonly T[];
  /** Where the next page starts; null on the last page. */
  readonly next: C | null;
}

export interface Change {
  readonly id: number;
  readonly data: unknown;
}

/** Which page of a list of events: how many, and after which cursor. */
export interface EventPageRequest {
  readonly limit: number;
  readonly after?: TimeCursor | undefined;
}

export interface EventStore {
  /**
   * Stores an event (unless its dedupe key was seen), the `changes` row when `change` is
   * given, and one pending delivery per enabled endpoint whose filters match its type,
   * all in one transaction: a crash can leave none of them without the others.
   */
  record(event: NewEvent, options?: { readonly change?: unknown }): Promise<RecordResult>;
  get(id: string): Promise<StoredEvent | undefined>;
  /** Newest first. */
  list(filter: EventFilter, page: EventPageRequest): Promise<Page<StoredEvent, TimeCursor>>;
  /**
   * Oldest first by id: up to `limit` events whose id sorts after `afterId` and that pass
   * `filter` (its text excepted). Ids are UUIDv7, so this is the order they were stored
   * in, give or take the moment between taking an id and committing: what a live stream
   * reads as new, and resumes from.
   */
  listAfter(afterId: string, filter: EventFilter, limit: number): Promise<StoredEvent[]>;
  /** One entity's events, oldest first by when they happened, ties by arrival. */
  forEntity(entityId: string, limit: number): Promise<readonly StoredEvent[]>;
}

export interface ChangeStore {
  /** Newest first. */
  list(page: {
    readonly limit: number;
    readonly before?: number | undefined;
  }): Promise<Page<Change, number>>;
}
