/**
 * Text searches on a thread of their own (./search-worker.ts), with a connection of its
 * own. Bun's SQLite driver is synchronous, and a search reads the payload of every event
 * it passes: 1.4-2.0 s over a million events of ~1 KB, during which the thread that
 * serves every request (and stores every webhook) would do nothing else. On a thread it
 * stalls nothing, and a search past the limit is stopped by ending the thread, since a
 * running SQLite statement cannot be interrupted from bun:sqlite; the next search starts
 * a new one. WAL mode lets the thread read while this one writes.
 *
 * Ending a thread takes effect only once SQLite returns from the statement it is in: a
 * stopped search still runs to its end. So a new thread starts only after the old one is
 * gone, and stopped searches never pile up, each on a core of its own.
 *
 * One search runs at a time, in the order they came; a search's limit counts from when it
 * was asked for, waiting included, as its requester waits.
 */
import type { TimeCursor } from "../cursor.ts";
import { SearchTooSlow } from "../errors.ts";
import type { EventFilter, EventPageRequest, Page, StoredEvent } from "../events.ts";

export interface SearchRequest {
  readonly id: number;
  readonly filter: EventFilter;
  readonly page: EventPageRequest;
}

export type SearchAnswer =
  | { readonly id: number; readonly ok: true; readonly page: Page<StoredEvent, TimeCursor> }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

/**
 * The thread's script. From source, it sits beside this file. In the compiled executable
 * (scripts/build.ts lists it as an entrypoint) every module's import.meta.url is the
 * executable's own, `/$bunfs/root/hookyard`, and the script sits at its path under src/.
 */
const WORKER_SCRIPT = import.meta.path.endsWith("search-thread.ts")
  ? new URL("./search-worker.ts", import.meta.url).href
  : new URL("./store/sqlite/search-worker.ts", import.meta.url).href;

interface PendingSearch {
  readonly request: SearchRequest;
  readonly resolve: (page: Page<StoredEvent, TimeCursor>) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: Timer;
}

/** What a failed search throws here: the thread's error, with its code for errors.ts. */
class SearchFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "SearchFailed";
  }
}

export class SearchThread {
  private worker: Worker | undefined;
  /** A thread told to end that has not yet: no other starts until it has. */
  private ending: Promise<void> | undefined;
  private running: PendingSearch | undefined;
  private readonly waiting: PendingSearch[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * @param path the database file, opened again (read-only) by the thread
   * @param limitMs how long a search may take, waiting included, before it is stopped
   */
  constructor(
    private readonly path: string,
    private readonly limitMs: number,
  ) {}

  list(filter: EventFilter, page: EventPageRequest): Promise<Page<StoredEvent, TimeCursor>> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    return new Promise((resolve, reject) => {
      const search: PendingSearch = {
        request: { id: this.nextId++, filter, page },
        resolve,
        reject,
        timer: setTimeout(() => this.stop(search), this.limitMs),
      };
      this.waiting.push(search);
      this.startNext();
    });
  }

  /** Ends the thread; searches not answered yet fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.endThread();
    const unanswered = [...(this.running ? [this.running] : []), ...this.waiting];
    this.running = undefined;
    this.waiting.length = 0;
    for (const search of unanswered) this.settle(search, new Error("the store was closed"));
  }

  private startNext(): void {
    if (this.running || this.closed || this.ending) return;
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.running = next;
    this.thread().postMessage(next.request);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SCRIPT, { argv: [this.path] });
    worker.onmessage = (event: MessageEvent<SearchAnswer>) => this.answered(event.data);
    // The thread could not start or broke: the search it had fails, the next gets a new one.
    worker.onerror = (event) => {
      if (this.worker !== worker) return;
      this.endThread();
      this.finishRunning(new SearchFailed(`the search thread failed: ${event.message}`, undefined));
    };
    this.worker = worker;
    return worker;
  }

  private answered(answer: SearchAnswer): void {
    if (this.running?.request.id !== answer.id) return; // stopped already
    this.finishRunning(answer.ok ? answer.page : new SearchFailed(answer.error, answer.code));
  }

  /** Past the limit: a running search is stopped with its thread; a waiting one is dropped. */
  private stop(search: PendingSearch): void {
    if (this.running === search) {
      this.endThread();
      this.finishRunning(new SearchTooSlow(this.limitMs));
      return;
    }
    const index = this.waiting.indexOf(search);
    if (index === -1) return;
    this.waiting.splice(index, 1);
    this.settle(search, new SearchTooSlow(this.limitMs));
  }

  private finishRunning(outcome: Page<StoredEvent, TimeCursor> | Error): void {
    const search = this.running;
    if (search === undefined) return;
    this.running = undefined;
    this.settle(search, outcome);
    this.startNext();
  }

  private settle(search: PendingSearch, outcome: Page<StoredEvent, TimeCursor> | Error): void {
    clearTimeout(search.timer);
    if (outcome instanceof Error) search.reject(outcome);
    else search.resolve(outcome);
  }

  private endThread(): void {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    // "close" fires once the thread is really gone, after the statement it was in.
    this.ending = new Promise<void>((resolve) =>
      worker.addEventListener("close", () => resolve(), { once: true }),
    ).then(() => {
      this.ending = undefined;
      this.startNext();
    });
    worker.terminate();
  }
}
