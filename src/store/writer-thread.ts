/**
 * A thread that writes large events, with a database connection of its own: its script
 * (../sqlite/large-event-worker.ts, ../pg/large-event-worker.ts) serves requests with
 * serveWrites (./writer-thread-worker.ts). On the thread that serves requests, one 24 MB
 * event held everything else for 190-420 ms on SQLite (its synchronous driver writing the
 * overflow pages) and 125-160 ms on PostgreSQL (postgres.js building the message),
 * several together for seconds. The event reaches the thread as UTF-8 bytes in shared
 * memory, without a copy (../http/body.ts).
 *
 * Writes run one at a time, in the order asked (`exclusive`; a store may run its own work
 * in those turns too). The thread starts with the first write and ends once none came for
 * a while.
 */
export type WriterRequest<T> = { readonly id: number; readonly request: T };

export type WriterAnswer<R> =
  | { readonly id: number; readonly ok: true; readonly outcome: R }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

/** How long the thread waits for another write before it ends. */
const IDLE_MS = 5_000;

/** What a failed write throws: the thread's error, with its code (../errors.ts reads it). */
export class WriteFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "WriteFailed";
  }
}

export class WriterThread<T, R> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (answer: WriterAnswer<R>) => void>();
  private nextId = 1;
  private idleTimer: Timer | undefined;
  /** Settles when the task that holds the turn is done. */
  private turn: Promise<unknown> = Promise.resolve();

  /**
   * @param script the thread's script URL
   * @param argv what the script reads from process.argv (its connection settings)
   */
  constructor(
    private readonly script: string,
    private readonly argv: readonly string[],
  ) {}

  /** Runs `task` once every task that asked before it is done. */
  exclusive<V>(task: () => V | Promise<V>): Promise<V> {
    const result = this.turn.then(task);
    this.turn = result.catch(() => {});
    return result;
  }

  /**
   * Has the thread write `request`, in its turn; `bound` limits how long the write itself
   * may take (waiting for the turn excluded).
   */
  write(
    request: T,
    bound: (write: Promise<WriterAnswer<R>>) => Promise<WriterAnswer<R>> = (w) => w,
  ): Promise<R> {
    return this.exclusive(async () => {
      const answer = await bound(this.ask(request));
      if (!answer.ok) throw new WriteFailed(answer.error, answer.code);
      return answer.outcome;
    });
  }

  /** Ends the thread (a write under way finishes first). */
  close(): void {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = undefined;
  }

  private ask(request: T): Promise<WriterAnswer<R>> {
    clearTimeout(this.idleTimer);
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<WriterAnswer<R>>((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, request } satisfies WriterRequest<T>);
    }).finally(() => {
      if (this.pending.size === 0) {
        this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
        this.idleTimer.unref();
      }
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { argv: [...this.argv], ref: false });
    worker.onmessage = (message: MessageEvent<WriterAnswer<R>>) => {
      const resolve = this.pending.get(message.data.id);
      this.pending.delete(message.data.id);
      resolve?.(message.data);
    };
    worker.onerror = (event) => {
      worker.terminate();
      if (this.worker === worker) this.worker = undefined;
      for (const [id, resolve] of this.pending) {
        resolve({ id, ok: false, error: `the writing thread ended: ${event.message}` });
      }
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}

/**
 * A thread script's URL: from source, `fromSource` beside the caller; in the compiled
 * executable (scripts/build.ts lists it as an entrypoint) `underSrc`, its path under src/.
 */
export function threadScript(
  callerPath: string,
  callerUrl: string,
  fromSource: string,
  underSrc: string,
) {
  return callerPath.endsWith(".ts")
    ? new URL(fromSource, callerUrl).href
    : new URL(underSrc, callerUrl).href;
}
