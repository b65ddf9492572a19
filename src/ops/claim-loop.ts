/**
 * The loop both outbound workers (deliveries, relay) run: claim due work up to the
 * concurrency limit, process each item in the background, and otherwise sleep until one
 * of: a wake-up (new work, from any instance), a free slot, the next item's due time, or
 * the poll interval (a safety net for missed notifications and other instances' leases).
 * Claim failures (the database is down) back off and retry: the worker pauses, never dies.
 */
import { fullJitterBackoff } from "../lib/backoff.ts";
import { bounded, SMALL_QUERY_LIMIT_MS } from "../store/bounded.ts";
import type { Logger } from "./log.ts";
import type { BackgroundService } from "./service.ts";

export interface ClaimLoopOptions<T> {
  readonly name: string;
  readonly concurrency: number;
  /**
   * Items claimed ahead and held, leased, until a slot frees: a slot that frees then starts
   * at once instead of waiting for the next claim's round trip. 0 claims only for free slots.
   */
  readonly prefetch?: number;
  /** Upper bound on any sleep. */
  readonly pollIntervalMs: number;
  /** How long a claim may take before it counts as failed; SMALL_QUERY_LIMIT_MS by default. */
  readonly callLimitMs?: number;
  /**
   * Once a claim has found everything due (it came back short), a wake-up while items are
   * in flight waits this long before claiming, so that work arriving a little at a time is
   * claimed a batch at a time: wake-ups meanwhile add nothing but what they bring. With
   * nothing in flight a wake-up claims at once. 0, the default, claims on every wake-up.
   */
  readonly gatherMs?: number;
  readonly claim: (limit: number) => Promise<T[]>;
  /** Handles one item; must record its own outcome. A throw is logged, the lease then expires. */
  readonly process: (item: T) => Promise<void>;
  readonly nextDueAt: () => Promise<Date | null>;
  /** Subscribes to wake-ups; returns the unsubscribe. */
  readonly subscribe: (wake: () => void) => Promise<() => Promise<void>>;
  readonly now: () => Date;
  readonly log: Logger;
}

/** Waiting on the database after a failed claim: from 100 ms up to 10 s. */
const OUTAGE_BACKOFF = { baseMs: 100, capMs: 10_000 };

export class ClaimLoop<T> implements BackgroundService {
  readonly name: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Claimed ahead (see `prefetch`), oldest first. */
  private readonly ready: T[] = [];
  private wakeSleeper: (() => void) | undefined;
  private pendingWake = false;
  /**
   * Whether the last claim may have left due items behind (it got all it asked for). When
   * it did not, a slot freeing is no reason to claim again: only a wake-up (new work, a
   * recorded retry) or the sleep's end is. Claiming on every freed slot anyway, while
   * work arrived a little at a time, made two claims for every five deliveries.
   */
  private dueLeft = true;
  /** The last claim found everything due: the next wake-up may wait `gatherMs` (see there). */
  private caughtUp = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  private readonly minBatch: number;
  private readonly callLimitMs: number;

  constructor(private readonly options: ClaimLoopOptions<T>) {
    this.name = options.name;
    this.callLimitMs = options.callLimitMs ?? SMALL_QUERY_LIMIT_MS;
    this.minBatch = Math.min(8, options.concurrency);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = await this.options.subscribe(() => this.wake());
    this.loop = this.run();
  }

  /** Stops claiming and waits for the items in flight to finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    // What was claimed ahead is ours (leased): process it rather than leave it to wait out
    // its lease, a slot at a time as before.
    while (this.ready.length > 0) {
      if (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
      else this.track(this.ready.shift() as T);
    }
    await Promise.allSettled([...this.inFlight]);
    await this.unsubscribe?.().catch(() => {});
  }

  /** New work may be due: claim now rather than at the next timer. */
  wake(): void {
    this.pendingWake = true;
    this.dueLeft = true;
    this.wakeSleeper?.();
  }

  /** Items being processed right now (for tests and metrics). */
  get busy(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      const { concurrency, prefetch = 0 } = this.options;
      while (this.ready.length > 0 && this.inFlight.size < concurrency) {
        this.track(this.ready.shift() as T);
      }
      const wanted = concurrency + prefetch - this.inFlight.size - this.ready.length;
      // While work is in flight, claim in batches: a claim per freed slot costs a query
      // each (on SQLite, a synchronous one that blocks the event loop) and halved
      // delivery throughput. A finishing item wakes the loop to check again.
      if (wanted <= 0 || (this.inFlight.size > 0 && wanted < this.minBatch)) {
        await this.sleep(this.options.pollIntervalMs);
        continue;
      }
      if (this.caughtUp && this.inFlight.size > 0 && (this.options.gatherMs ?? 0) > 0) {
        this.caughtUp = false;
        await new Promise((resolve) => setTimeout(resolve, this.options.gatherMs));
        continue;
      }
      let items: T[];
      try {
        items = await bounded(this.options.claim(wanted), this.callLimitMs, `${this.name}: claim`);
        failures = 0;
      } catch (error) {
        const delay = fullJitterBackoff(failures++, OUTAGE_BACKOFF);
        this.options.log.warn(`${this.name}: claiming failed; retrying`, {
          error,
          retry_in_ms: delay,
        });
        await this.sleep(delay);
        continue;
      }
      for (const item of items) {
        if (this.inFlight.size < concurrency) this.track(item);
        else this.ready.push(item);
      }
      // A wake-up during the claim may have brought more.
      this.caughtUp = items.length < wanted && !this.pendingWake;
      if (this.caughtUp) this.dueLeft = false;
      if (this.dueLeft) continue;
      await this.sleep(await this.idleDelay());
    }
  }

  private track(item: T): void {
    const task = this.options
      .process(item)
      .catch((error) => this.options.log.error(`${this.name}: processing failed`, { error }))
      .finally(() => {
        this.inFlight.delete(task);
        // A slot is free: start what was claimed ahead, or claim more if more may be due.
        if (this.ready.length > 0 || this.dueLeft) this.wakeSleeper?.();
      });
    this.inFlight.add(task);
  }

  /** How long to sleep when nothing more could be claimed. */
  private async idleDelay(): Promise<number> {
    // Our own items are due already and still pending in the store until recorded, so the
    // store's next due time would be in the past: the answer is the poll interval, and a
    // finishing item wakes the loop before then. Asking anyway cost a query per claim
    // while work arrives a little at a time.
    if (this.inFlight.size > 0 || this.ready.length > 0) return this.options.pollIntervalMs;
    let next: Date | null = null;
    try {
      next = await bounded(this.options.nextDueAt(), this.callLimitMs, `${this.name}: next due`);
    } catch {
      // the next claim will report the outage
    }
    if (!next) return this.options.pollIntervalMs;
    const untilDue = next.getTime() - this.options.now().getTime();
    // Due already but not claimable: another worker holds it; its lease or a wake-up ends that.
    if (untilDue <= 0) return this.options.pollIntervalMs;
    return Math.min(untilDue, this.options.pollIntervalMs);
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running || this.pendingWake) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
