/**
 * Recording a batch of attempts on PostgreSQL: one statement, so one round trip and one
 * commit for the batch (data-modifying CTEs run together, atomically). The attempts travel
 * as one parameter and each endpoint's share of them (../health-changes.ts, EndpointBatch)
 * as another, JSON text (typed so, lest the client encode it a second time), unpacked by
 * jsonb_to_recordset.
 */
import type postgres from "postgres";
import { newId } from "../../lib/ids.ts";
import type { FinishedAttempt, RecordedAttempt } from "../deliveries.ts";
import {
  batchesByEndpoint,
  type EndpointBatch,
  type HealthPolicy,
  LAST_ATTEMPT_PRECISION_MS,
} from "../health-changes.ts";
import {
  DELIVERY_EXHAUSTED,
  ENDPOINT_DISABLED,
  ENDPOINT_RECOVERED,
  failingReasonPrefix,
  isExhausted,
  OPERATIONAL_SOURCE,
} from "../operational-events.ts";
import type { HealthyEndpoints } from "./healthy-endpoints.ts";
import { subscribedSql } from "./subscribed.ts";

/** A timestamptz as JavaScript's toISOString writes it, as the payloads carry times. */
const iso = (expression: string) =>
  `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * - Each delivery's outcome and its attempt, written on its row; the attempt that was there
 *   before, if any, moved into delivery_attempts. Only where the caller still holds the lease.
 * - Each endpoint's health (../health-changes.ts, applyBatch: the same rules, which the
 *   store contract tests hold both dialects to). Endpoints are locked in id order, so that
 *   instances recording at once never deadlock, and only those whose health changes: a
 *   healthy endpoint's successes write nothing, but its last attempt once a second.
 * - What changed, stored as hookyard's own events (../operational-events.ts, same shapes),
 *   each with a delivery to every enabled endpoint that subscribes to it but the one it is
 *   about, and the workers woken when there are any.
 * Most CTEs are empty on the success path; the materialized ones are computed once, and
 * an empty one makes the joins on it cost nothing.
 */
const FINISH = `
  with input as (
    select * from jsonb_to_recordset($1::text::jsonb) as i(
      id text, holder text, status text, next_at timestamptz, attempt_id text,
      at timestamptz, code int, duration int, error text, body text, headers jsonb,
      event_type text, exhausted boolean)
  ), replaced as materialized (
    -- The statement's snapshot: the attempts on the rows before the update below.
    select d.last_attempt_id, d.id, d.last_attempted_at, d.last_status_code,
           d.last_duration_ms, d.last_error, d.last_response_body, d.last_response_headers
    from input i join deliveries d on d.id = i.id
    where d.leased_by = i.holder and d.last_attempt_id is not null
  ), batch as materialized (
    select * from jsonb_to_recordset($2::text::jsonb) as b(
      endpoint_id text, last_at timestamptz, last_code int,
      success_at timestamptz, success_code int, success_delivery text, success_event text,
      failures_before int, first_failure_before_at timestamptz,
      failures_after int, first_failure_after_at timestamptz,
      fail_at timestamptz, fail_code int, fail_delivery text, fail_event text,
      gone_reason text, gone_at timestamptz, gone_code int, gone_delivery text, gone_event text,
      disable_after_ms bigint, reason_prefix text)
  ), before as materialized (
    -- In endpoint id order, one primary key lookup each: an ORDER BY on the endpoints
    -- themselves read their whole index in order instead, since sorts are priced out on
    -- these connections (PgStore.open).
    select e.url, e.enabled, e.consecutive_failures as prev_failures,
           e.failing_since as prev_since, b.*
    from (select * from batch order by endpoint_id) b
    cross join lateral (
      select e.* from endpoints e
      where e.id = b.endpoint_id
        and (b.failures_before + b.failures_after > 0 or b.gone_reason is not null
          or (b.success_at is not null and e.consecutive_failures > 0)
          or e.last_attempt_at is null
          or b.last_at - e.last_attempt_at >= interval '${LAST_ATTEMPT_PRECISION_MS} milliseconds'
          or e.last_status_code is distinct from b.last_code)
      for no key update
    ) e
  ), finished as (
    update deliveries d
    set status = i.status, attempt_count = d.attempt_count + 1, next_attempt_at = i.next_at,
        lease_expires_at = null, leased_by = null, last_status_code = i.code,
        last_error = i.error, updated_at = i.at,
        delivered_at = case when i.status = 'delivered' then i.at else d.delivered_at end,
        last_attempt_id = i.attempt_id, last_attempted_at = i.at,
        last_duration_ms = i.duration, last_response_body = i.body, last_response_headers = i.headers
    from input i
    where d.id = i.id and d.leased_by = i.holder
      -- Always true, and evaluated once before any row here is updated: the endpoints are
      -- locked before the deliveries, in the order DELETE /endpoints/:id locks them (the
      -- endpoint, then its deliveries by cascade), so the two never deadlock.
      and (select count(*) from before) >= 0
    returning d.id, d.endpoint_id, d.event_id, d.attempt_count
  ), archived as (
    insert into delivery_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error,
                                   response_body, response_headers)
    select r.* from replaced r join finished f on f.id = r.id
  ), exhausted as materialized (
    -- Almost always empty: filtered first, so the join on it has nothing to do.
    select * from input where exhausted
  ), next as materialized (
    select b.*,
      case when b.success_at is null then 0 else b.prev_failures + b.failures_before end as ended,
      coalesce(b.prev_since, b.first_failure_before_at) as ended_since,
      case when b.success_at is null then b.prev_failures + b.failures_after
           else b.failures_after end as failures,
      case when b.failures_after = 0 then
             case when b.success_at is null then b.prev_since end
           when b.success_at is null then coalesce(b.prev_since, b.first_failure_after_at)
           else b.first_failure_after_at end as since
    from before b
  ), decided as materialized (
    select n.*,
      case when n.cause = 'gone' then n.gone_reason
           when n.cause = 'failing' then n.reason_prefix || ${iso("n.since")} || ')' end as reason
    from (
      select n.*,
        case when not n.enabled then null
             when n.gone_reason is not null then 'gone'
             when n.disable_after_ms is not null and n.fail_at is not null and n.since is not null
                  and n.fail_at - n.since >= n.disable_after_ms * interval '1 millisecond'
               then 'failing' end as cause
      from next n
    ) n
  ), health as (
    update endpoints e
    set consecutive_failures = d.failures, failing_since = d.since,
        last_attempt_at = case when e.last_attempt_at > d.last_at then e.last_attempt_at else d.last_at end,
        last_status_code = case when e.last_attempt_at > d.last_at then e.last_status_code else d.last_code end,
        enabled = e.enabled and d.cause is null,
        disabled_reason = coalesce(d.reason, e.disabled_reason),
        updated_at = case when d.cause = 'gone' then d.gone_at
                          when d.cause = 'failing' then d.fail_at else e.updated_at end
    from decided d
    where e.id = d.endpoint_id
  ), notices as materialized (
    select gen_random_uuid()::text as event_id, '${ENDPOINT_RECOVERED}' as type,
           d.endpoint_id as about, d.success_at as at,
           jsonb_build_object('endpoint', jsonb_build_object('id', d.endpoint_id, 'url', d.url),
             'recovered_at', ${iso("d.success_at")}, 'failed_attempts', d.ended,
             'failing_since', ${iso("d.ended_since")}, 'delivery_id', d.success_delivery,
             'event_id', d.success_event, 'status_code', d.success_code) as payload
    from decided d where d.ended > 0
    union all
    select gen_random_uuid()::text, '${ENDPOINT_DISABLED}', d.endpoint_id,
           case when d.cause = 'gone' then d.gone_at else d.fail_at end,
           jsonb_build_object('endpoint', jsonb_build_object('id', d.endpoint_id, 'url', d.url),
             'reason', d.reason, 'cause', d.cause,
             'disabled_at', ${iso("case when d.cause = 'gone' then d.gone_at else d.fail_at end")},
             'consecutive_failures', d.failures, 'failing_since', ${iso("d.since")},
             'delivery_id', case when d.cause = 'gone' then d.gone_delivery else d.fail_delivery end,
             'event_id', case when d.cause = 'gone' then d.gone_event else d.fail_event end,
             'status_code', case when d.cause = 'gone' then d.gone_code else d.fail_code end)
    from decided d where d.cause is not null
    union all
    select gen_random_uuid()::text, '${DELIVERY_EXHAUSTED}', f.endpoint_id, i.at,
           jsonb_build_object('endpoint', jsonb_build_object('id', e.id, 'url', e.url),
             'delivery_id', f.id, 'event_id', f.event_id, 'event_type', i.event_type,
             'attempts', f.attempt_count, 'last_status_code', i.code, 'last_error', i.error,
             'failed_at', ${iso("i.at")})
    from exhausted i join finished f on f.id = i.id join endpoints e on e.id = f.endpoint_id
  ), stored_notices as (
    insert into events (id, source, type, occurred_at, received_at, payload, headers)
    select event_id, '${OPERATIONAL_SOURCE}', type, at, at, payload, '{}'::jsonb from notices
  ), notice_deliveries as (
    insert into deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at,
                            created_at, updated_at)
    select gen_random_uuid()::text, n.event_id, en.id, 'pending', 0, n.at, n.at, n.at
    from notices n join endpoints en on en.enabled and en.id <> n.about
    where ${subscribedSql("en", "n.type")}
    returning 1
  ), woken as (
    -- sent on commit, and only when there is work
    select pg_notify('hookyard_deliveries', '') from (select 1 from notice_deliveries limit 1) as queued
  )
  -- archived, health, stored_notices and notice_deliveries run whether or not they are
  -- read: PostgreSQL always runs data-modifying CTEs to completion.
  select id, null as change, null as detail from finished
  union all
  select case when cause = 'gone' then gone_delivery else fail_delivery end, 'disabled', reason
  from decided where cause is not null
  union all
  select success_delivery, 'recovered', ended::text from decided where ended > 0
  union all
  select endpoint_id, 'written', failures::text from decided
  union all
  select null, 'woken', null from woken`;

export async function finishAttemptsOnPg(
  client: postgres.Sql,
  finished: readonly FinishedAttempt[],
  policy: HealthPolicy,
  healthy: HealthyEndpoints,
): Promise<RecordedAttempt[]> {
  if (finished.length === 0) return [];
  const input = finished.map((item) => {
    const { deliveryId, holder, attempt, outcome, eventType } = item;
    return {
      id: deliveryId,
      holder,
      status: outcome.status,
      next_at: outcome.status === "pending" ? outcome.nextAttemptAt.toISOString() : null,
      attempt_id: newId(),
      at: attempt.attemptedAt.toISOString(),
      code: attempt.statusCode,
      duration: attempt.durationMs,
      error: attempt.error,
      body: attempt.responseBody,
      headers: attempt.responseHeaders,
      event_type: eventType,
      exhausted: isExhausted(item),
    };
  });
  const batches = batchesByEndpoint(finished).filter((batch) => !healthy.skips(batch));
  const rows = await client.unsafe<{ id: string | null; change: string | null; detail: string }[]>(
    FINISH,
    [JSON.stringify(input), JSON.stringify(endpointRows(batches, policy))],
    { prepare: true },
  );
  const recorded = new Set<string>();
  const disabled = new Map<string, string>();
  const recovered = new Map<string, number>();
  for (const row of rows) {
    if (row.id === null) continue;
    if (row.change === null) recorded.add(row.id);
    else if (row.change === "disabled") disabled.set(row.id, row.detail);
    else if (row.change === "recovered") recovered.set(row.id, Number(row.detail));
    else if (row.change === "written") {
      const batch = batches.find((b) => b.endpointId === row.id);
      if (batch) healthy.written(batch, Number(row.detail));
    }
  }
  return finished.map(({ deliveryId }) => {
    const endpointDisabled = disabled.get(deliveryId);
    const endpointRecovered = recovered.get(deliveryId);
    return {
      recorded: recorded.has(deliveryId),
      ...(endpointDisabled === undefined ? {} : { endpointDisabled }),
      ...(endpointRecovered === undefined ? {} : { endpointRecovered }),
    };
  });
}

const iso8601 = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** Each endpoint's share of the batch, as the statement's `batch` reads it. */
function endpointRows(batches: readonly EndpointBatch[], policy: HealthPolicy) {
  const reasonPrefix =
    policy.disableAfterMs === undefined ? null : failingReasonPrefix(policy.disableAfterMs);
  return batches.map((batch) => ({
    endpoint_id: batch.endpointId,
    last_at: iso8601(batch.last.at),
    last_code: batch.last.statusCode,
    success_at: iso8601(batch.firstSuccess?.at),
    success_code: batch.firstSuccess?.statusCode ?? null,
    success_delivery: batch.firstSuccess?.deliveryId ?? null,
    success_event: batch.firstSuccess?.eventId ?? null,
    failures_before: batch.failuresBefore,
    first_failure_before_at: iso8601(batch.firstFailureBeforeAt),
    failures_after: batch.failuresAfter,
    first_failure_after_at: iso8601(batch.firstFailureAfterAt),
    fail_at: iso8601(batch.lastFailure?.at),
    fail_code: batch.lastFailure?.statusCode ?? null,
    fail_delivery: batch.lastFailure?.deliveryId ?? null,
    fail_event: batch.lastFailure?.eventId ?? null,
    gone_reason: batch.gone?.reason ?? null,
    gone_at: iso8601(batch.gone?.at),
    gone_code: batch.gone?.statusCode ?? null,
    gone_delivery: batch.gone?.deliveryId ?? null,
    gone_event: batch.gone?.eventId ?? null,
    disable_after_ms: policy.disableAfterMs ?? null,
    reason_prefix: reasonPrefix,
  }));
}
