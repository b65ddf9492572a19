/**
 * The live streams of one instance (GET /events/stream) and what feeds them:
 *
 * - New events: one feed per instance reads the store for events after the last it saw
 *   (EventStore.listAfter), every POLL_MS and at once when a delivery outcome names an
 *   event it has not seen. Reading the store is what makes an event stored by any
 *   instance appear on every instance's streams, on PostgreSQL as on SQLite. Each read
 *   goes back SETTLE_MS, and ids already sent are skipped: ids are taken before a commit,
 *   so an event can become visible after one with a later id.
 * - Delivery outcomes: announced by the delivery worker of any instance (./stream-bus.ts).
 *
 * The feed runs only while a stream is open. Everything is bounded: the number of
 * streams, what waits for each client (./client-stream.ts), what the feed remembers.
 */

import { idFloor } from "../lib/ids.ts";
import type { Logger } from "../ops/log.ts";
import type { BackgroundService } from "../ops/service.ts";
import type { StoredEvent } from "../store/events.ts";
import type { Store } from "../store/store.ts";
import type { CloseReason } from "./client-stream.ts";
import {
  LiveStream,
  type LiveStreamOptions,
  type StreamFilter,
  type StreamShape,
} from "./live-stream.ts";
import { type AttemptOutcome, onAttemptOutcomes } from "./stream-bus.ts";

export interface StreamHubOptions extends LiveStreamOptions {
  /** Streams open at once on this instance; more are refused (503). */
  readonly maxStreams: number;
  /** How often the feed reads the store for new events. */
  readonly pollMs: number;
  /** How far back each read goes, for events committed after later ones. */
  readonly settleMs: number;
  /** How often a quiet stream gets a comment line, so proxies keep it open. */
  readonly heartbeatMs: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamHubOptions = {
  maxStreams: 100,
  // A client this far behind is dropped; it reconnects and catches up from the store.
  maxQueuedBytes: 8 * 1024 ** 2,
  pageSize: 200,
  maxHeldEvents: 1_000,
  pollMs: 1_000,
  settleMs: 2_000,
  // Well under the 60 s after which common proxies (nginx, AWS ALB) close a quiet response.
  heartbeatMs: 5_000,
};

/** The feed remembers the source of this many recent events, to filter outcomes by source. */
const REMEMBERED_SOURCES = 10_000;

/** The least time between two reads of the feed, however often it is told of new events. */
const MIN_READ_GAP_MS = 100;

/** Outcomes held for their event's read; past this, they go out at once. */
const MAX_WAITING_OUTCOMES = 1_000;

export class StreamsUnavailable extends Error {
  constructor(readonly reason: "full" | "stopping") {
    super(reason === "full" ? "too many live streams on this instance" : "shutting down");
  }
}

/** Ids compare as text: UUIDv7's hex digits sort as the time they hold. */
function laterId(a: string, b: string): string {
  if (a > b) return a;
  return b;
}

function earlierId(a: string, b: string): string {
  if (a < b) return a;
  return b;
}

export class EventStreamHub implements BackgroundService {
  readonly name = "event-streams";
  private readonly streams = new Set<LiveStream>();
  private readonly options: StreamHubOptions;
  private stopping = false;
  private feed: Feed | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    options: Partial<StreamHubOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * A new stream, live at once or first catching up after `lastEventId`. `onClose` is told
   * when it ends, however it ends (the route hands the connection back to Bun's timeouts).
   */
  open(
    filter: StreamFilter,
    lastEventId: string | undefined,
    onClose: (reason: CloseReason) => void = () => {},
    shape: StreamShape = "full",
  ): LiveStream {
    if (this.stopping) throw new StreamsUnavailable("stopping");
    if (this.streams.size >= this.options.maxStreams) throw new StreamsUnavailable("full");
    const stream = new LiveStream(
      filter,
      lastEventId,
      this.options,
      (afterId, storeFilter, limit) => this.store.events.listAfter(afterId, storeFilter, limit),
      (closed, reason) => {
        this.closed(closed, reason);
        onClose(reason);
      },
      shape,
    );
    this.streams.add(stream);
    this.feed ??= new Feed(this.store, this.log, this.options, this.now, this.streams);
    return stream;
  }

  async start(): Promise<void> {}

  /** Ends every stream (each client reconnects elsewhere) and refuses new ones. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const stream of this.streams) stream.end();
    await this.stopFeed();
  }

  private closed(stream: LiveStream, reason: CloseReason): void {
    this.streams.delete(stream);
    if (reason === "too-slow") {
      this.log.warn("live stream dropped: the client did not keep up", {
        limit_bytes: this.options.maxQueuedBytes,
      });
    }
    if (this.streams.size === 0) void this.stopFeed();
  }

  private async stopFeed(): Promise<void> {
    const feed = this.feed;
    this.feed = undefined;
    await feed?.stop();
  }
}

/** Reads new events and hears outcomes for the streams, while any is open. */
class Feed {
  private readonly startFloor: string;
  /** Ids sent in the last SETTLE_MS, in the order read (ascending, near enough). */
  private readonly sent = new Map<string, true>();
  private readonly sources = new Map<string, string>();
  private cursor: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastReadAt = 0;
  private nextSettleAt = 0;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  /** Outcomes whose event the feed has not read yet: they go out after the next read. */
  private waiting: AttemptOutcome[] = [];
  private stopped = false;
  private readonly unsubscribe: Promise<(() => Promise<void>) | undefined>[];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly options: StreamHubOptions,
    private readonly now: () => number,
    private readonly streams: ReadonlySet<LiveStream>,
  ) {
    this.startFloor = idFloor(now());
    this.cursor = this.startFloor;
    const unavailable = (error: unknown) => {
      log.warn("live streams: notifications unavailable; new events come every POLL_MS", {
        error,
      });
      return undefined;
    };
    this.unsubscribe = [
      onAttemptOutcomes(store, (outcome) => this.outcome(outcome)).catch(unavailable),
      // Any instance stored events that endpoints take (../store: record wakes the workers).
      store.onWake("deliveries", () => this.hint()).catch(unavailable),
    ];
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) stream.heartbeat();
    }, options.heartbeatMs);
    this.nextSettleAt = now() + options.pollMs;
    this.readAt(this.nextSettleAt);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    await this.polling;
    for (const unsubscribe of await Promise.all(this.unsubscribe)) {
      await unsubscribe?.().catch(() => {});
    }
  }

  /** Reads at `at` (ms), unless a read is due sooner; right after the read under way if any. */
  private readAt(at: number): void {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.read(), Math.max(0, at - this.now()));
  }

  /** Something was stored: read soon (not sooner than MIN_READ_GAP_MS after the last read). */
  private hint(): void {
    this.readAt(this.lastReadAt + MIN_READ_GAP_MS);
  }

  private read(): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    const settle = this.now() >= this.nextSettleAt;
    this.polling = this.readNew(settle)
      .catch((error) => this.log.warn("live streams: reading new events failed", { error }))
      .finally(() => {
        this.polling = undefined;
        this.lastReadAt = this.now();
        if (settle) this.nextSettleAt = this.lastReadAt + this.options.pollMs;
        this.releaseWaiting();
        const again = this.pollAgain;
        this.pollAgain = false;
        this.readAt(again ? this.lastReadAt + MIN_READ_GAP_MS : this.nextSettleAt);
      });
  }

  /**
   * Reads the events after the cursor; a settling read (every POLL_MS) goes back
   * SETTLE_MS before it, for those committed after events with later ids.
   */
  private async readNew(settle: boolean): Promise<void> {
    const settled = idFloor(this.now() - this.options.settleMs);
    const floor = laterId(settled, this.startFloor);
    // Behind (a burst larger than a page per read): go on from where the last read ended.
    let after = settle ? earlierId(this.cursor, floor) : this.cursor;
    for (;;) {
      const page = await this.store.events.listAfter(after, {}, this.options.pageSize);
      for (const event of page) this.offer(event);
      const last = page.at(-1);
      if (last === undefined) break;
      after = last.id;
      if (after > this.cursor) this.cursor = after;
      if (page.length < this.options.pageSize || this.stopped) break;
    }
    this.forgetBefore(floor);
  }

  private offer(event: StoredEvent): void {
    if (this.sent.has(event.id)) return;
    this.sent.set(event.id, true);
    this.remember(event.id, event.source);
    for (const stream of this.streams) stream.offerEvent(event);
  }

  private forgetBefore(floor: string): void {
    for (const id of this.sent.keys()) {
      if (id >= floor) break;
      this.sent.delete(id);
    }
  }

  private remember(eventId: string, source: string): void {
    this.sources.set(eventId, source);
    if (this.sources.size > REMEMBERED_SOURCES) {
      const oldest = this.sources.keys().next().value;
      if (oldest !== undefined) this.sources.delete(oldest);
    }
  }

  private outcome(outcome: AttemptOutcome): void {
    // Its event is stored but not read yet (it committed before its delivery was
    // attempted): read now, so the event goes out before its first outcome rather than
    // up to POLL_MS after it.
    const unseen = !this.sources.has(outcome.event_id) && outcome.event_id > this.cursor;
    if (unseen && this.waiting.length < MAX_WAITING_OUTCOMES) {
      this.waiting.push(outcome);
      this.hint();
      return;
    }
    this.release(outcome);
  }

  private releaseWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const outcome of waiting) this.release(outcome);
  }

  private release(outcome: AttemptOutcome): void {
    const known = this.sources.get(outcome.event_id);
    const needsSource = known === undefined && [...this.streams].some((s) => s.filter.source);
    if (!needsSource) {
      for (const stream of this.streams) stream.offerOutcome(outcome, known);
      return;
    }
    void this.sourceOf(outcome.event_id).then((source) => {
      for (const stream of this.streams) stream.offerOutcome(outcome, source);
    });
  }

  /** The source of an event the feed did not see (a retry of an older one), from the store. */
  private async sourceOf(eventId: string): Promise<string | undefined> {
    try {
      const event = await this.store.events.get(eventId);
      if (event) this.remember(event.id, event.source);
      return event?.source;
    } catch {
      return undefined;
    }
  }
}
