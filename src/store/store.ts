/**
 * The one seam between hookyard and its database. Callers speak in domain terms; each
 * dialect (pg/, sqlite/) implements every part with typed drizzle queries, and where the
 * dialects truly differ (claiming work, locks, wake-ups) the difference stays inside.
 */

import type { ChartStore } from "./charts.ts";
import type { DeliveryStore } from "./deliveries.ts";
import type { EndpointHealthStore } from "./endpoint-health.ts";
import type { EndpointStore } from "./endpoints.ts";
import type { ChangeStore, EventStore } from "./events.ts";
import type { HookStore } from "./hooks.ts";
import type { MigrationReport } from "./migrate.ts";
import type { RecoveryStore } from "./recovery.ts";
import type { RelayStore } from "./relay.ts";
import type { RetentionStore } from "./retention.ts";
import type { SourceStore } from "./sources.ts";

export type Dialect = "postgres" | "sqlite";

/** Queues whose workers can be woken when work is added (PostgreSQL: LISTEN/NOTIFY). */
export type WorkQueue = "deliveries" | "relay";

/** Topics of messages for live views in every instance (Store.broadcast). */
export type BroadcastTopic = "attempts";

export type LockResult<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export interface Store {
  readonly dialect: Dialect;
  readonly events: EventStore;
  readonly changes: ChangeStore;
  readonly endpoints: EndpointStore;
  readonly endpointHealth: EndpointHealthStore;
  readonly deliveries: DeliveryStore;
  readonly relay: RelayStore;
  readonly hooks: HookStore;
  readonly retention: RetentionStore;
  readonly recovery: RecoveryStore;
  readonly charts: ChartStore;
  readonly sources: SourceStore;

  /** Applies pending migrations; safe to run from several instances at once. */
  migrate(): Promise<MigrationReport>;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Runs `task` only if no other holder (in this process or, on PostgreSQL, in any
   * instance on the same database) holds the lock `name`; otherwise does nothing.
   */
  tryExclusive<T>(name: string, task: () => Promise<T>): Promise<LockResult<T>>;
  /** Tells every instance's workers that `queue` has new work. */
  wake(queue: WorkQueue): Promise<void>;
  /** Calls `listener` when any instance wakes `queue`; returns the unsubscribe. */
  onWake(queue: WorkQueue, listener: () => void): Promise<() => Promise<void>>;
  /**
   * Sends `message` (one line) to every instance's `onBroadcast` listeners of `topic`, soon
   * and at most once: for live views, never for work. Returns at once and never throws.
   */
  broadcast(topic: BroadcastTopic, message: string): void;
  /** Calls `listener` with each message broadcast on `topic` by any instance; returns the unsubscribe. */
  onBroadcast(
    topic: BroadcastTopic,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
