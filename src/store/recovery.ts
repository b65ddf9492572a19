/**
 * Recovering after an outage: failed deliveries queued again, events an endpoint never got
 * queued for it, one event sent again, a test event sent to one endpoint. The bulk
 * operations work a batch at a time, each batch its own short statement and commit, so
 * that 100,000 deliveries neither hold a transaction open nor block the worker: the caller
 * (../recovery/service.ts) loops, waking the workers as each batch lands.
 */
import type { TimeCursor } from "./cursor.ts";
import type { ClaimedDelivery } from "./deliveries.ts";
import type { NewEvent } from "./events.ts";
import type { RoutedEvent } from "./filtered-endpoints.ts";

/**
 * The type of the event POST /endpoints/:id/test sends by default: it goes to the endpoint
 * tested alone, never to others by a replay or a resend.
 */
export const TEST_EVENT_TYPE = "hookyard.test";

/** Inclusive at both ends, as GET /events reads `since` and `until`; no end when `until` is absent. */
export interface TimeWindow {
  readonly since: Date;
  readonly until?: Date | undefined;
}

/** One batch: at most `limit` rows, after `after` in (time, id) order. */
export interface BatchRequest {
  readonly limit: number;
  readonly after?: TimeCursor | undefined;
}

/**
 * Failed deliveries across endpoints, as the dashboard's Failures page filters them: each
 * field as DeliveryFilter reads it (./delivery-filter.ts), the status always `failed`.
 */
export interface FailedFilter {
  readonly endpointId?: string | undefined;
  /** The delivery's event type: exact, or `prefix.*`. */
  readonly eventType?: string | undefined;
  /** Created at or after. */
  readonly since?: Date | undefined;
  /** Created at or before. */
  readonly until?: Date | undefined;
}

export interface BatchResult {
  /** Rows queued by this batch. */
  readonly queued: number;
  /** Where the next batch starts; null when this one reached the end. */
  readonly next: TimeCursor | null;
}

/**
 * Whether an endpoint with a payload filter takes an event by its content, its type
 * already matched (../recovery/endpoint-filter.ts). A replay for such an endpoint reads
 * each event missing a delivery with its payload and headers and asks this, in this
 * process, as fan-out does (./filtered-endpoints.ts); without it, every event of the
 * endpoint's types is taken, counted and queued in SQL alone.
 */
export type TakesContent = (event: RoutedEvent) => boolean;

export interface RecoveryStore {
  /** Failed deliveries to the endpoint created in the window. */
  countFailed(endpointId: string, window: TimeWindow): Promise<number>;
  /**
   * Makes a batch of them pending again, due `now`, with a fresh retry schedule (as
   * DeliveryStore.retry does one), in creation order. With `eventType` (exact or
   * `prefix.*`), only those whose event is of that type.
   */
  requeueFailed(
    endpointId: string,
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    eventType?: string,
  ): Promise<BatchResult>;
  /**
   * Failed deliveries matching the filter, counted per endpoint (endpoint id → count; an
   * endpoint without any is absent): what a bulk retry would queue, and what it would
   * skip because the endpoint is disabled.
   */
  countFailedByEndpoint(filter: FailedFilter): Promise<ReadonlyMap<string, number>>;
  /** The type of each of these events that is still stored (event id → type). */
  eventTypesOf(eventIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * Events received in the window whose type `eventTypes` takes (../delivery/event-types.ts
   * rules) and that have no delivery to the endpoint, whatever its status; never a test
   * event, nor one of hookyard's own events about this endpoint (./recovery-sql.ts,
   * replayable); with `takes`, only those it takes.
   */
  countMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    takes?: TakesContent,
  ): Promise<number>;
  /**
   * Queues a delivery to the endpoint, pending and due `now`, for a batch of those events,
   * in the order they were received. Two calls at once for one endpoint never queue one
   * event twice. With `takes`, a batch may queue fewer than it read (those `takes`
   * refuses are passed over), and its `next` still starts after all it read.
   */
  queueMissing(
    endpointId: string,
    eventTypes: readonly string[],
    window: TimeWindow,
    now: Date,
    batch: BatchRequest,
    takes?: TakesContent,
  ): Promise<BatchResult>;
  /**
   * A new pending delivery of the event, due `now`, to each of the endpoints that is still
   * there and enabled; answers how many were queued.
   */
  resend(eventId: string, endpointIds: readonly string[], now: Date): Promise<number>;
  /**
   * Stores `event` with one delivery, to this endpoint only, already leased to `lease.holder`
   * (so that no worker claims it while the caller attempts it), and answers it as a claim
   * would. Undefined when there is no such endpoint; nothing is stored then.
   */
  recordLeased(
    event: NewEvent,
    endpointId: string,
    lease: { readonly until: Date; readonly holder: string },
  ): Promise<ClaimedDelivery | undefined>;
}
