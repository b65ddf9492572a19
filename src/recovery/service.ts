/**
 * Recovering after an outage, apart from HTTP so that the API and the dashboard share it:
 * failed deliveries queued again (recover), events an endpoint never got queued for it
 * (replay), one event sent again to whoever takes it now (resend), and a test event sent to
 * one endpoint while the caller waits (test).
 *
 * The bulk operations go a batch at a time (../store/recovery.ts): each batch commits on
 * its own and wakes the workers, which start sending while the next batch is written.
 */
import type { AppContext } from "../context.ts";
import { type DeliverDeps, deliverClaimed } from "../delivery/deliver.ts";
import { matchesEventType } from "../delivery/event-types.ts";
import { leaseFor } from "../delivery/worker.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { newId } from "../lib/ids.ts";
import type { TimeCursor } from "../store/cursor.ts";
import type { DeliveryAttempt } from "../store/deliveries.ts";
import type { Endpoint } from "../store/endpoints.ts";
import type { StoredEvent } from "../store/events.ts";
import { type BatchResult, TEST_EVENT_TYPE, type TimeWindow } from "../store/recovery.ts";
import { endpointAbout } from "../store/recovery-sql.ts";
import { contentTestOf } from "./endpoint-filter.ts";

/**
 * Rows per batch. Measured with 100,000 failed deliveries of one endpoint: 1.2 s in all on
 * SQLite (25 ms at most per batch, the longest the server cannot answer anything else),
 * 3.5 s on PostgreSQL (under 100 ms a batch); a replay scanning 200,000 events took 2.2 s
 * and 5-7 s. Five times larger batches saved a quarter of the time on PostgreSQL and
 * blocked SQLite's thread for 300 ms at a time.
 */
export const RECOVERY_BATCH = 1_000;

/** The endpoint, if it exists and is enabled: 404 or 409 otherwise. */
async function enabledEndpoint(ctx: AppContext, id: string): Promise<Endpoint> {
  const endpoint = await ctx.store.endpoints.get(id);
  if (!endpoint) throw notFound(`no endpoint with id "${id}"`);
  if (!endpoint.enabled) {
    // What it queued would wait, pending, until someone enabled the endpoint: say so
    // instead, as POST /deliveries/:id/retry does.
    throw new ApiError(409, "the endpoint is disabled; enable it (PATCH /endpoints/:id) first", [
      { endpoint_id: endpoint.id, disabled_reason: endpoint.disabledReason },
    ]);
  }
  return endpoint;
}

/** Failed deliveries to the endpoint created in the window: what `recoverFailed` would queue. */
export async function countRecoverable(
  ctx: AppContext,
  endpointId: string,
  window: TimeWindow,
): Promise<number> {
  const endpoint = await enabledEndpoint(ctx, endpointId);
  return ctx.store.recovery.countFailed(endpoint.id, window);
}

/**
 * Queues a new attempt, due now and with a fresh retry schedule, for every failed delivery
 * to the endpoint created in the window; answers how many. Those are pending then, so a
 * second call while they are attempted queues none of them again.
 */
export async function recoverFailed(
  ctx: AppContext,
  endpointId: string,
  window: TimeWindow,
): Promise<number> {
  const endpoint = await enabledEndpoint(ctx, endpointId);
  const now = ctx.now();
  return inBatches(ctx, (after) =>
    ctx.store.recovery.requeueFailed(endpoint.id, window, now, { limit: RECOVERY_BATCH, after }),
  );
}

/** Events received in the window that the endpoint takes and never got: what `replay` would queue. */
export async function countReplayable(
  ctx: AppContext,
  endpointId: string,
  window: TimeWindow,
): Promise<number> {
  const endpoint = await enabledEndpoint(ctx, endpointId);
  return ctx.store.recovery.countMissing(
    endpoint.id,
    endpoint.eventTypes,
    window,
    contentTestOf(endpoint),
  );
}

/**
 * Queues a delivery, due now, of every event received in the window that the endpoint
 * takes now (by its types and, if it has one, its payload filter: ./endpoint-filter.ts)
 * and that has no delivery to it (it came while the endpoint was disabled, or before it
 * existed, or before it subscribed to the type or changed its filter); answers how many.
 * A second call finds them queued and queues none. hookyard's own events about this
 * endpoint (its own disable, say) are never among them, as they never reach it.
 */
export async function replay(
  ctx: AppContext,
  endpointId: string,
  window: TimeWindow,
): Promise<number> {
  const endpoint = await enabledEndpoint(ctx, endpointId);
  const now = ctx.now();
  const takes = contentTestOf(endpoint);
  return inBatches(ctx, (after) =>
    ctx.store.recovery.queueMissing(
      endpoint.id,
      endpoint.eventTypes,
      window,
      now,
      { limit: RECOVERY_BATCH, after },
      takes,
    ),
  );
}

/**
 * A new delivery of a stored event, due now, to every enabled endpoint that takes it now
 * (its event types and payload filter), whether or not it had one before; answers how
 * many. The same webhook-id as before (the event's id): a receiver that already has it
 * may drop it as a duplicate.
 * One of hookyard's own events goes, as always, to those that name it, and never to the
 * endpoint it is about; a test event goes back to the endpoint it tested, alone.
 */
export async function resend(ctx: AppContext, eventId: string): Promise<number> {
  const event = await ctx.store.events.get(eventId);
  if (!event) throw notFound(`no event with id "${eventId}"`);
  const targets = resendTargets(event, await ctx.store.endpoints.list()).map(
    (endpoint) => endpoint.id,
  );
  const queued = await ctx.store.recovery.resend(event.id, targets, ctx.now());
  if (queued > 0) await ctx.store.wake("deliveries");
  return queued;
}

/**
 * The endpoints a resend of `event` goes to, of `endpoints`: the enabled ones that take it
 * now, by type and by payload filter (what the dashboard counts before it asks to confirm).
 */
export function resendTargets(
  event: Pick<StoredEvent, "type" | "payload" | "headers">,
  endpoints: readonly Endpoint[],
): Endpoint[] {
  const about = endpointAbout(event.type, event.payload);
  const takes = (endpoint: Endpoint) =>
    event.type === TEST_EVENT_TYPE
      ? endpoint.id === about
      : matchesEventType(endpoint.eventTypes, event.type) &&
        endpoint.id !== about &&
        (contentTestOf(endpoint)?.(event) ?? true);
  return endpoints.filter((endpoint) => endpoint.enabled && takes(endpoint));
}

/** What a test delivery's one attempt came to. */
export interface TestOutcome {
  readonly eventId: string;
  readonly deliveryId: string;
  readonly delivered: boolean;
  readonly attempt: DeliveryAttempt;
}

/**
 * Sends a test event to this endpoint only (whatever types it subscribes to, and even
 * disabled: it is how one checks that a receiver is back before enabling it) and answers
 * once the attempt is made and recorded. The event and its delivery are stored like any
 * other (source `hookyard`), with this one attempt: a failed test is a failed delivery,
 * not retried. The attempt is the worker's own (../delivery/deliver.ts): the destination
 * is checked and pinned, the request signed, and a 410 disables the endpoint, as for any
 * delivery.
 */
export async function sendTest(
  ctx: AppContext,
  endpointId: string,
  eventType: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<TestOutcome> {
  const endpoint = await ctx.store.endpoints.get(endpointId);
  if (!endpoint) throw notFound(`no endpoint with id "${endpointId}"`);
  const now = ctx.now();
  const leaseMs = leaseFor(ctx.config.deliveryTimeoutMs);
  const holder = `test-${newId()}`;
  const claimed = await ctx.store.recovery.recordLeased(
    {
      // hookyard's own, as its type says, though an operator asked for it.
      source: "hookyard",
      type: eventType,
      occurredAt: now,
      receivedAt: now,
      // `endpoint` as in hookyard's own events: a resend goes back to this endpoint alone.
      payload: {
        message: "A test event from hookyard: this endpoint receives and verifies webhooks.",
        endpoint: { id: endpoint.id, url: endpoint.url },
      },
      headers,
    },
    endpoint.id,
    { until: new Date(now.getTime() + leaseMs), holder },
  );
  // Deleted since it was read.
  if (!claimed) throw notFound(`no endpoint with id "${endpointId}"`);
  const deps: DeliverDeps = {
    recordAttempt: async (finished) => {
      const [recorded] = await ctx.store.deliveries.finishAttempts([finished]);
      if (recorded === undefined) throw new Error("no record of the test attempt");
      return recorded;
    },
    holder,
    leaseMs,
    settings: {
      // No retries: the caller is waiting for this attempt's outcome.
      scheduleMs: [],
      timeoutMs: ctx.config.deliveryTimeoutMs,
      allowPrivate: ctx.config.allowPrivateEndpoints,
      version: ctx.version,
    },
    now: ctx.now,
    log: ctx.log,
    metrics: ctx.metrics,
  };
  const { recorded } = await deliverClaimed(claimed, deps);
  const settlement = await recorded;
  const attempt = (await ctx.store.deliveries.attempts(claimed.delivery.id)).at(-1);
  if (!attempt) {
    // Deleted meanwhile, with its endpoint (DELETE /endpoints/:id during the attempt).
    throw notFound(`no endpoint with id "${endpointId}"`);
  }
  return {
    eventId: claimed.event.id,
    deliveryId: claimed.delivery.id,
    delivered: settlement.outcome.status === "delivered",
    attempt,
  };
}

/**
 * How long a recovery request may take before Bun cuts its connection, in seconds (the
 * server's idle timeout is 10 s, ../app.ts). A window of millions of rows takes minutes; the
 * work goes on to the end if the connection is cut, and a second call finds it done.
 */
export const RECOVERY_REQUEST_SECONDS = 300;

/**
 * Runs `batch` until it reaches the end, waking the workers after each, so they start
 * sending while the next is written; the total queued. Shared with ./bulk-retry.ts.
 */
export async function inBatches(
  ctx: AppContext,
  batch: (after: TimeCursor | undefined) => Promise<BatchResult>,
): Promise<number> {
  let total = 0;
  let after: TimeCursor | undefined;
  for (;;) {
    const result = await batch(after);
    total += result.queued;
    if (result.queued > 0) await ctx.store.wake("deliveries");
    if (result.next === null) return total;
    after = result.next;
    // SQLite runs a batch on this thread: let the server answer others in between.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
