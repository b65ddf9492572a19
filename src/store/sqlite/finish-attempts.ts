/**
 * Recording a batch of attempts on SQLite: prepared statements in one of Bun's synchronous
 * transactions (nothing in this process can interleave with it), so each endpoint's health
 * is read, changed by ../health-changes.ts and written back without locks, and what changed
 * is stored as hookyard's own events (../operational-events.ts) in the same commit.
 */
import type { Database } from "bun:sqlite";
import { matchesEventType } from "../../delivery/event-types.ts";
import { newId } from "../../lib/ids.ts";
import type { FinishedAttempt, RecordedAttempt } from "../deliveries.ts";
import {
  applyBatch,
  batchesByEndpoint,
  type HealthPolicy,
  type HealthState,
} from "../health-changes.ts";
import {
  deliveryExhausted,
  isExhausted,
  OPERATIONAL_SOURCE,
  type OperationalEvent,
} from "../operational-events.ts";
import { prepareRecordStatements } from "./record-event.ts";

export type FinishAttempts = (
  finished: readonly FinishedAttempt[],
  policy: HealthPolicy,
) => RecordedAttempt[];

interface EndpointRow {
  readonly url: string;
  readonly enabled: number;
  readonly consecutive_failures: number;
  readonly failing_since: number | null;
  readonly last_attempt_at: number | null;
  readonly last_status_code: number | null;
}

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));
const msOrNull = (date: Date | null) => date?.getTime() ?? null;

export function prepareFinishAttempts(sqlite: Database): FinishAttempts {
  // Runs before the update that overwrites it: the attempt on the row, moved into the
  // attempts table when a later one replaces it (and only while the lease is the caller's).
  const archiveReplaced = sqlite.prepare<never, [string, string]>(
    `insert into delivery_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error,
                                    response_body, response_headers)
     select last_attempt_id, id, last_attempted_at, last_status_code, last_duration_ms,
            last_error, last_response_body, last_response_headers
     from deliveries where id = ? and leased_by = ? and last_attempt_id is not null`,
  );
  const settle = sqlite.prepare<
    { endpoint_id: string; attempt_count: number },
    [
      string,
      number | null,
      number | null,
      string | null,
      number,
      number | null,
      string,
      number,
      number,
      string | null,
      string | null,
      string,
      string,
    ]
  >(
    `update deliveries
     set status = ?, attempt_count = attempt_count + 1, next_attempt_at = ?,
         lease_expires_at = null, leased_by = null, last_status_code = ?, last_error = ?,
         updated_at = ?, delivered_at = coalesce(?, delivered_at),
         last_attempt_id = ?, last_attempted_at = ?, last_duration_ms = ?, last_response_body = ?,
         last_response_headers = ?
     where id = ? and leased_by = ?
     returning endpoint_id, attempt_count`,
  );
  const endpointRow = sqlite.prepare<EndpointRow, [string]>(
    `select url, enabled, consecutive_failures, failing_since, last_attempt_at, last_status_code
     from endpoints where id = ?`,
  );
  const writeHealth = sqlite.prepare<
    never,
    [
      number,
      number | null,
      number | null,
      number | null,
      number,
      string | null,
      number | null,
      string,
    ]
  >(
    `update endpoints
     set consecutive_failures = ?, failing_since = ?, last_attempt_at = ?, last_status_code = ?,
         enabled = ?, disabled_reason = coalesce(?, disabled_reason),
         updated_at = coalesce(?, updated_at)
     where id = ?`,
  );
  const record = prepareRecordStatements(sqlite);

  const announce = (notice: OperationalEvent) => {
    const id = newId();
    const at = notice.at.getTime();
    record.insertEvent.run(
      id,
      OPERATIONAL_SOURCE,
      notice.type,
      null,
      null,
      null,
      at,
      at,
      JSON.stringify(notice.payload),
      "{}",
      null,
      null,
      0,
    );
    // hookyard's own events reach the endpoints that take their type, filtered or not: a
    // filter is evaluated where an event comes in (../filtered-endpoints.ts), and these
    // are made here, inside the transaction (docs/filters.md says so).
    for (const endpoint of record.enabledEndpoints.all()) {
      if (endpoint.id === notice.about) continue;
      if (!matchesEventType(JSON.parse(endpoint.event_types) as string[], notice.type)) continue;
      record.insertDelivery.run(newId(), id, endpoint.id, at, at, at);
    }
  };

  return sqlite.transaction((finished: readonly FinishedAttempt[], policy: HealthPolicy) => {
    const results: { -readonly [K in keyof RecordedAttempt]: RecordedAttempt[K] }[] = [];
    const byDelivery = new Map<string, (typeof results)[number]>();
    const notices: OperationalEvent[] = [];
    for (const item of finished) {
      const { deliveryId, holder, attempt, outcome } = item;
      const at = attempt.attemptedAt.getTime();
      archiveReplaced.run(deliveryId, holder);
      const updated = settle.get(
        outcome.status,
        outcome.status === "pending" ? outcome.nextAttemptAt.getTime() : null,
        attempt.statusCode,
        attempt.error,
        at,
        outcome.status === "delivered" ? at : null,
        newId(),
        at,
        attempt.durationMs,
        attempt.responseBody,
        attempt.responseHeaders === null ? null : JSON.stringify(attempt.responseHeaders),
        deliveryId,
        holder,
      );
      const result = { recorded: updated !== null };
      results.push(result);
      byDelivery.set(deliveryId, result);
      if (updated && isExhausted(item)) {
        const row = endpointRow.get(item.endpointId);
        if (row) {
          notices.push(
            deliveryExhausted({
              endpoint: { id: item.endpointId, url: row.url },
              eventType: item.eventType,
              attempts: updated.attempt_count,
              lastError: attempt.error,
              attempt: {
                deliveryId,
                eventId: item.eventId,
                at: attempt.attemptedAt,
                statusCode: attempt.statusCode,
              },
            }),
          );
        }
      }
    }
    const changes: OperationalEvent[] = [];
    for (const batch of batchesByEndpoint(finished)) {
      const row = endpointRow.get(batch.endpointId);
      if (!row) continue;
      const change = applyBatch(
        { id: batch.endpointId, url: row.url },
        healthOf(row),
        batch,
        policy,
      );
      if (!change.write) continue;
      const { next } = change;
      writeHealth.run(
        next.consecutiveFailures,
        msOrNull(next.failingSince),
        msOrNull(next.lastAttemptAt),
        next.lastStatusCode,
        next.enabled ? 1 : 0,
        change.disabled?.reason ?? null,
        change.disabled?.by.at.getTime() ?? null,
        batch.endpointId,
      );
      changes.push(...change.events);
      const { disabled, recovered } = change;
      const disabledBy = disabled && byDelivery.get(disabled.by.deliveryId);
      if (disabledBy) disabledBy.endpointDisabled = disabled.reason;
      const recoveredBy = recovered && byDelivery.get(recovered.by.deliveryId);
      if (recoveredBy) recoveredBy.endpointRecovered = recovered.failedAttempts;
    }
    // As PostgreSQL orders them: endpoint changes, then exhausted deliveries.
    for (const notice of [...changes, ...notices]) announce(notice);
    return results;
  });
}

function healthOf(row: EndpointRow): HealthState {
  return {
    enabled: row.enabled === 1,
    consecutiveFailures: row.consecutive_failures,
    failingSince: dateOrNull(row.failing_since),
    lastAttemptAt: dateOrNull(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
  };
}
