/**
 * Large events are written on a thread of their own (./large-event-worker.ts), with a
 * connection of its own. Bun's SQLite driver is synchronous, and SQLite took 190-420 ms to
 * insert one 24 MB payload (its overflow pages, each written to the WAL at commit): on
 * the serving thread, every request waited that long, and longer for several such events
 * committed together.
 *
 * Writes take turns (`exclusive`): a batch of small events on the serving thread waits
 * while a large one is written, and a large one waits for it. On this thread a batch
 * waiting for SQLite's write lock would wait synchronously, holding up every request.
 * Other writers on this thread (deliveries, relay, retention) do not take turns: one that
 * meets a large event's transaction waits for it in busy_timeout, as it would for
 * `hookyard prune`.
 *
 * The thread starts with the first large event and ends once none came for a while.
 */
import type { EventInsert, InsertOutcome } from "./record-event.ts";

export interface LargeEventRequest {
  readonly id: number;
  readonly row: EventInsert;
}

export type LargeEventAnswer =
  | { readonly id: number; readonly ok: true; readonly outcome: InsertOutcome }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

/**
 * The thread's script. From source, it sits beside this file; in the compiled executable
 * (scripts/build.ts lists it as an entrypoint) at its path under src/.
 */
const WORKER_SCRIPT = import.meta.path.endsWith("large-event-thread.ts")
  ? new URL("./large-event-worker.ts", import.meta.url).href
  : new URL("./store/sqlite/large-event-worker.ts", import.meta.url).href;

/** From this length of payload JSON on, an event is written on the thread. */
export const LARGE_EVENT_CHARACTERS = 256 * 1024;

/** How long the thread waits for another large event before it ends. */
const IDLE_MS = 5_000;

/** What a failed write throws here: the thread's error, with its code for ../errors.ts. */
class LargeEventFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "LargeEventFailed";
  }
}

export class LargeEventThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (answer: LargeEventAnswer) => void>();
  private nextId = 1;
  private idleTimer: Timer | undefined;
  /** Settles when the write that holds the turn is done. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  /**
   * Runs `task` once every write that asked before it is done, and before any that asks
   * after it starts.
   */
  exclusive<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.turn.then(task);
    this.turn = result.catch(() => {});
    return result;
  }

  /** Writes `row` on the thread, in its turn. */
  insert(row: EventInsert): Promise<InsertOutcome> {
    return this.exclusive(async () => {
      const answer = await this.ask(row);
      if (!answer.ok) throw new LargeEventFailed(answer.error, answer.code);
      return answer.outcome;
    });
  }

  /** Ends the thread (a write under way finishes first: SQLite cannot be interrupted). */
  close(): void {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = undefined;
  }

  private ask(row: EventInsert): Promise<LargeEventAnswer> {
    clearTimeout(this.idleTimer);
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<LargeEventAnswer>((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, row } satisfies LargeEventRequest);
    }).finally(() => {
      if (this.pending.size === 0) {
        this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
        this.idleTimer.unref();
      }
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SCRIPT, { argv: [this.path], ref: false });
    worker.onmessage = (message: MessageEvent<LargeEventAnswer>) => {
      const resolve = this.pending.get(message.data.id);
      this.pending.delete(message.data.id);
      resolve?.(message.data);
    };
    worker.onerror = (event) => {
      worker.terminate();
      if (this.worker === worker) this.worker = undefined;
      for (const [id, resolve] of this.pending) {
        resolve({ id, ok: false, error: `the large-event thread ended: ${event.message}` });
      }
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}
