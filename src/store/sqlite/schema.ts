/**
 * SQLite tables, in step with ../pg/schema.ts: times are integer epoch milliseconds
 * (drizzle maps them to `Date`; Bun's driver would bind a raw `Date` as NULL) and JSON
 * is text. After a change, `bun run db:generate` writes the migrations into drizzle/sqlite.
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const at = (name: string) => integer(name, { mode: "timestamp_ms" });
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

/** The table the original brief asked for, exactly `id` and `data`; kept forever. */
export const changes = sqliteTable("changes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  data: json<unknown>("data").notNull(),
});

export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull(),
    type: text("type").notNull(),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    action: text("action"),
    occurredAt: at("occurred_at").notNull(),
    receivedAt: at("received_at").notNull(),
    payload: json<unknown>("payload").notNull(),
    headers: json<Record<string, string>>("headers").notNull(),
    /** The sender's own id for the delivery (GitHub delivery id, webhook-id…), for dedupe. */
    dedupeKey: text("dedupe_key"),
    /**
     * The request body exactly as a source received it (../../sources/): what `hookyard
     * listen` forwards, so that the receiver's own signature check passes. Null for the
     * built-in routes, whose payload is their body. Kept once: where `payload` holds the
     * body's text as it came (`body_in_payload`), `body` reads it from there.
     */
    bodyText: text("body_text"),
    bodyInPayload: integer("body_in_payload", { mode: "boolean" }).notNull().default(false),
    body: text("body").generatedAlwaysAs(
      sql`case when body_in_payload then payload else body_text end`,
      { mode: "virtual" },
    ),
  },
  (table) => [
    uniqueIndex("events_source_dedupe_key_uq").on(table.source, table.dedupeKey),
    index("events_received_idx").on(table.receivedAt, table.id),
    index("events_source_received_idx").on(table.source, table.receivedAt, table.id),
    index("events_type_received_idx").on(table.type, table.receivedAt, table.id),
    index("events_entity_idx").on(table.entityId, table.occurredAt),
  ],
);

export const endpoints = sqliteTable("endpoints", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  secret: text("secret").notNull(),
  eventTypes: json<string[]>("event_types").notNull(),
  /** A payload filter (../../delivery/payload-filter/), as the user wrote it; null: none. */
  filter: json<unknown>("filter"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  disabledReason: text("disabled_reason"),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
  // Its health, kept up to date by the records of its attempts (../health-changes.ts):
  // failed attempts since its last success, and when the first of them was made.
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  failingSince: at("failing_since"),
  lastAttemptAt: at("last_attempt_at"),
  lastStatusCode: integer("last_status_code"),
  // The secret before the last rotation, which deliveries are signed with too until then.
  previousSecret: text("previous_secret"),
  previousSecretUntil: at("previous_secret_until"),
});

/** Named inbound URLs (`/in/<name>`) and how each checks its sender (../../sources/). */
export const sources = sqliteTable("sources", {
  name: text("name").primaryKey(),
  /** The verifier's settings, secrets included: the whole of what /in/<name> checks. */
  verifier: json<unknown>("verifier").notNull(),
  /** A template for the event type (`{{body.kind}}`); null: the provider's own field. */
  eventType: text("event_type"),
  description: text("description").notNull().default(""),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
});

export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    attemptCount: integer("attempt_count").notNull().default(0),
    nextAttemptAt: at("next_attempt_at"),
    leaseExpiresAt: at("lease_expires_at"),
    leasedBy: text("leased_by"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    // The latest attempt lives on the delivery row, with last_status_code and last_error;
    // a later attempt moves it into delivery_attempts. Most deliveries succeed first time,
    // and recording that is then one row update instead of an update, an insert and a
    // foreign-key check.
    lastAttemptId: text("last_attempt_id"),
    lastAttemptedAt: at("last_attempted_at"),
    lastDurationMs: integer("last_duration_ms"),
    lastResponseBody: text("last_response_body"),
    lastResponseHeaders: json<Record<string, string>>("last_response_headers"),
    createdAt: at("created_at").notNull(),
    updatedAt: at("updated_at").notNull(),
    deliveredAt: at("delivered_at"),
  },
  (table) => [
    index("deliveries_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    // Without the status and attempt count PostgreSQL's has: SQLite updates an index only
    // when a column of it changes, and with them every recorded attempt updated this one
    // too, a third more work per delivery; counting a day's deliveries by outcome for the
    // endpoints' health gained less from it than that cost (../endpoint-health.ts).
    index("deliveries_endpoint_idx").on(table.endpointId, table.createdAt),
    index("deliveries_event_idx").on(table.eventId),
    // Lists newest first: /deliveries unfiltered, and failed ones across endpoints (the
    // Failures page), which a scan of every delivery by time would find few and far between.
    index("deliveries_created_idx").on(table.createdAt, table.id),
    index("deliveries_failed_created_idx")
      .on(table.createdAt, table.id)
      .where(sql`${table.status} = 'failed'`),
  ],
);

export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attemptedAt: at("attempted_at").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    responseBody: text("response_body"),
    responseHeaders: json<Record<string, string>>("response_headers"),
  },
  (table) => [index("delivery_attempts_delivery_idx").on(table.deliveryId, table.attemptedAt)],
);

export const relayMessages = sqliteTable(
  "relay_messages",
  {
    id: text("id").primaryKey(),
    /** Null only for rejected envelopes, which hold no valid event. */
    project: text("project"),
    eventId: text("event_id"),
    eventType: text("event_type"),
    payload: json<unknown>("payload").notNull(),
    status: text("status").notNull(),
    attemptCount: integer("attempt_count").notNull().default(0),
    nextAttemptAt: at("next_attempt_at"),
    leaseExpiresAt: at("lease_expires_at"),
    leasedBy: text("leased_by"),
    receivedAt: at("received_at").notNull(),
    /** When it was last queued (received, or retried by hand): RELAY_MAX_AGE counts from here. */
    queuedAt: at("queued_at").notNull(),
    lastAttemptAt: at("last_attempt_at"),
    sentAt: at("sent_at"),
    svixMessageId: text("svix_message_id"),
    lastError: text("last_error"),
    pubsubMessageId: text("pubsub_message_id"),
  },
  (table) => [
    uniqueIndex("relay_messages_project_event_uq").on(table.project, table.eventId),
    index("relay_messages_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'queued'`),
    index("relay_messages_status_received_idx").on(table.status, table.receivedAt),
  ],
);

export const hooks = sqliteTable("hooks", {
  id: text("id").primaryKey(),
  userid: text("userid").notNull(),
  createdAt: at("created_at").notNull(),
  lastTriggeredAt: at("last_triggered_at"),
  triggerCount: integer("trigger_count").notNull().default(0),
});
