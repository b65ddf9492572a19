/**
 * The delivery worker: a ClaimLoop (../ops/claim-loop.ts) over the deliveries queue, with
 * DELIVERY_CONCURRENCY attempts in flight, each made by ./deliver.ts under a lease.
 * Woken by new work from any instance (PostgreSQL LISTEN/NOTIFY; in-process on SQLite),
 * and polled as a safety net and to take over leases left by a dead instance.
 */
import type { AppContext } from "../context.ts";
import { announceAttempts } from "../events/stream-bus.ts";
import { groupCommit } from "../lib/group-commit.ts";
import { newId } from "../lib/ids.ts";
import { ClaimLoop } from "../ops/claim-loop.ts";
import type { BackgroundService } from "../ops/service.ts";
import { bounded } from "../store/bounded.ts";
import type { ClaimedDelivery, FinishedAttempt } from "../store/deliveries.ts";
import type { FetchFunction } from "./attempt.ts";
import { deliverClaimed } from "./deliver.ts";
import type { HostLookup } from "./ssrf.ts";

/**
 * How often an idle worker looks for work nobody announced: a delivery whose lease
 * expired (its instance died), or a missed notification. One cheap indexed query.
 */
export const POLL_INTERVAL_MS = 1_000;

/**
 * How long a wake-up waits, while attempts are in flight and the queue was found empty,
 * before claiming what came (../ops/claim-loop.ts, `gatherMs`). On SQLite, with 16
 * triggers in flight and the worker keeping up, it claimed ~3 deliveries at a time:
 * 6,400 claims for 20,000 deliveries. Waiting 1 ms made it ~1,900 claims, 8% less CPU per
 * delivery and 10% more deliveries a second, for ~3 ms more from trigger to receiver
 * (scripts/bench/deliver.ts, docs/benchmarks.md).
 */
const GATHER_MS = 1;

/** The lease never drops below this, whatever DELIVERY_TIMEOUT says. */
const MIN_LEASE_MS = 2_000;

/**
 * How long a claimed delivery stays ours: one DELIVERY_TIMEOUT for the DNS check, one
 * for the attempt, and one more for recording it. Long enough that a live worker never
 * loses a delivery mid-attempt (a second instance would send it again); short enough
 * that a crashed instance's deliveries are picked up soon, since nothing else frees them.
 */
export function leaseFor(timeoutMs: number): number {
  return Math.max(MIN_LEASE_MS, 3 * timeoutMs);
}

export interface DeliveryWorkerOptions {
  /** Identifies this process's leases; unique per process. */
  readonly holder?: string;
  readonly pollIntervalMs?: number;
  readonly lookup?: HostLookup;
  readonly fetch?: FetchFunction;
}

/**
 * Attempts made but not yet on record, at most this many per slot. The slot is free once
 * the attempt is made; a slow database must still not let unrecorded attempts pile up.
 */
const RECORDING_PER_SLOT = 4;

export function deliveryWorker(
  ctx: AppContext,
  options: DeliveryWorkerOptions = {},
): BackgroundService {
  const { config, store } = ctx;
  const holder = options.holder ?? `deliveries-${newId()}`;
  const leaseMs = leaseFor(config.deliveryTimeoutMs);
  const policy = { disableAfterMs: config.endpointDisableAfterMs };
  const deps = {
    // Bounded: one write that never settles would hold up every record after it, and an
    // attempt recorded after its lease ran out is refused anyway.
    recordAttempt: groupCommit(async (finished: readonly FinishedAttempt[]) => {
      const recorded = await bounded(
        store.deliveries.finishAttempts(finished, policy),
        leaseMs,
        "recording delivery attempts",
      );
      // Live streams (GET /events/stream) hear each outcome; announcing never waits.
      announceAttempts(store, finished, recorded);
      return recorded;
    }),
    holder,
    leaseMs,
    settings: {
      scheduleMs: config.deliveryRetryScheduleMs,
      timeoutMs: config.deliveryTimeoutMs,
      allowPrivate: config.allowPrivateEndpoints,
      version: ctx.version,
    },
    now: ctx.now,
    log: ctx.log,
    metrics: ctx.metrics,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const recording = new Set<Promise<unknown>>();
  const maxRecording = RECORDING_PER_SLOT * config.deliveryConcurrency;
  const loop = new ClaimLoop<ClaimedDelivery>({
    name: "deliveries",
    concurrency: config.deliveryConcurrency,
    prefetch: config.deliveryConcurrency,
    gatherMs: GATHER_MS,
    pollIntervalMs: options.pollIntervalMs ?? POLL_INTERVAL_MS,
    claim: (limit) => store.deliveries.claimDue(ctx.now(), limit, { ms: leaseMs, holder }),
    process: async (claimed) => {
      const { recorded } = await deliverClaimed(claimed, deps);
      const tracked = recorded
        // Unrecorded, the delivery keeps its lease until it expires, then is sent again.
        .catch((error) => ctx.log.error("deliveries: recording an attempt failed", { error }))
        .finally(() => {
          recording.delete(tracked);
          // Until now the delivery was leased, so the loop may be asleep until the poll;
          // a retry due in 50 ms must not wait a second. Wake-ups coalesce: one per batch.
          loop.wake();
        });
      recording.add(tracked);
      while (recording.size > maxRecording) await Promise.race(recording);
    },
    nextDueAt: () => store.deliveries.nextDueAt(),
    subscribe: (wake) => store.onWake("deliveries", wake),
    now: ctx.now,
    log: ctx.log,
  });
  return {
    name: loop.name,
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      // Attempts already made are recorded before the database is closed.
      await Promise.allSettled([...recording]);
    },
  };
}
