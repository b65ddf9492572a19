/**
 * One client of GET /events/stream: its filter, its body (./client-stream.ts) and, when
 * it resumed with Last-Event-ID, the catch-up from the store that comes before the live
 * feed. The hub (./stream-hub.ts) hands it new events and delivery outcomes.
 */
import { type TypeFilter, typeFilterOf, typeMatches } from "../store/event-filter.ts";
import type { EventFilter, StoredEvent } from "../store/events.ts";
import { type ClientLimits, ClientStream, type CloseReason } from "./client-stream.ts";
import type { AttemptOutcome } from "./stream-bus.ts";
import {
  deliveryMessage,
  eventMessage,
  eventNotice,
  sseComment,
  sseOpening,
} from "./stream-format.ts";

export interface StreamFilter {
  readonly source?: string | undefined;
  /** An exact type, `prefix.*` or `*`, as GET /events reads it. */
  readonly type?: string | undefined;
}

/**
 * What a stream says of each event: `full`, the event as GET /events/:id shows it (the
 * API's stream); `notice`, its id, source and type only (the dashboard's, which fetches
 * its own view when told something changed).
 */
export type StreamShape = "full" | "notice";

export interface LiveStreamOptions extends ClientLimits {
  /** Events read from the store per page while catching up. */
  readonly pageSize: number;
  /** New events held while catching up; past this they are read from the store again. */
  readonly maxHeldEvents: number;
}

/** Reads events after an id from the store: EventStore.listAfter. */
export type ReadAfter = (
  afterId: string,
  filter: EventFilter,
  limit: number,
) => Promise<readonly StoredEvent[]>;

export class LiveStream {
  readonly client: ClientStream;
  private readonly type: TypeFilter | undefined;
  /** Set while catching up: the last id sent from the store. */
  private catchUpCursor: string | undefined;
  private held: StoredEvent[] = [];
  private heldOverflowed = false;
  /**
   * The latest ids the catch-up sent: the feed may offer them again once the stream is
   * live (it reads back SETTLE_MS), and a client must not see one twice.
   */
  private readonly caughtUp = new Set<string>();

  constructor(
    readonly filter: StreamFilter,
    lastEventId: string | undefined,
    private readonly options: LiveStreamOptions,
    private readonly readAfter: ReadAfter,
    onClose: (stream: LiveStream, reason: CloseReason) => void,
    private readonly shape: StreamShape = "full",
  ) {
    this.type = typeFilterOf(filter.type);
    this.catchUpCursor = lastEventId;
    this.client = new ClientStream(
      options,
      (reason) => onClose(this, reason),
      () => this.catchUp(),
    );
    this.client.send(sseOpening());
  }

  get catchingUp(): boolean {
    return this.catchUpCursor !== undefined;
  }

  /** Whether this stream wants events (and outcomes) from `source`. */
  wantsSource(source: string | undefined): boolean {
    return this.filter.source === undefined || this.filter.source === source;
  }

  wantsType(type: string): boolean {
    return typeMatches(this.type, type);
  }

  /** A new event from the feed. */
  offerEvent(event: StoredEvent): void {
    if (!this.wantsSource(event.source) || !this.wantsType(event.type)) return;
    if (this.catchUpCursor === undefined) {
      if (!this.caughtUp.has(event.id)) this.client.send(this.message(event));
    } else if (this.held.length < this.options.maxHeldEvents) {
      this.held.push(event);
    } else {
      // The store has them: the catch-up reads on past them.
      this.held = [];
      this.heldOverflowed = true;
    }
  }

  /** A delivery outcome whose event's source the hub found (undefined: not known). */
  offerOutcome(outcome: AttemptOutcome, source: string | undefined): void {
    if (!this.wantsSource(source) || !this.wantsType(outcome.event_type)) return;
    this.client.send(deliveryMessage(outcome));
  }

  /** A comment when the client has read everything, so a quiet stream is not idle. */
  heartbeat(): void {
    if (this.client.idle) this.client.send(sseComment("keep-alive"));
  }

  end(): void {
    this.client.end();
  }

  private message(event: StoredEvent): string {
    return this.shape === "full" ? eventMessage(event) : eventNotice(event);
  }

  private sendCaughtUp(event: StoredEvent): void {
    this.client.send(this.message(event));
    this.caughtUp.add(event.id);
    if (this.caughtUp.size > this.options.maxHeldEvents) {
      const oldest = this.caughtUp.values().next().value;
      if (oldest !== undefined) this.caughtUp.delete(oldest);
    }
  }

  /**
   * While catching up, each time the client has read everything: the next page from the
   * store. On the last page, the events held meanwhile that the store did not give go out,
   * and the stream is live.
   */
  private async catchUp(): Promise<void> {
    while (this.catchUpCursor !== undefined && this.client.idle && !this.client.closed) {
      const filter = { source: this.filter.source, type: this.filter.type };
      let page: readonly StoredEvent[];
      try {
        page = await this.readAfter(this.catchUpCursor, filter, this.options.pageSize);
      } catch {
        // The database is away: end the stream; the client reconnects with its
        // Last-Event-ID after the `retry` delay and resumes from the same place.
        this.client.end();
        return;
      }
      for (const event of page) this.sendCaughtUp(event);
      const last = page.at(-1);
      if (last) this.catchUpCursor = last.id;
      if (page.length === this.options.pageSize) continue;
      if (this.heldOverflowed) {
        // Some new events were let go: they are stored, so read on from the store.
        this.heldOverflowed = false;
        continue;
      }
      const cursor = this.catchUpCursor;
      this.catchUpCursor = undefined;
      for (const event of this.held) {
        if (event.id > cursor && !this.caughtUp.has(event.id)) {
          this.client.send(this.message(event));
        }
      }
      this.held = [];
    }
  }
}
