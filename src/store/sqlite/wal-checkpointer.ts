/**
 * WAL checkpoints on a thread of their own (./checkpoint-worker.ts). SQLite's automatic
 * checkpoint runs inside the commit that fills the WAL to 1,000 pages, on the committing
 * thread: here the one thread that also serves every request. Under synchronous=normal a
 * checkpoint syncs the WAL and then the database file, and those waits were a fifth of
 * what storing a GitHub push cost the request thread.
 *
 * The thread copies the WAL back a step behind the writer. The WAL starts over from its
 * beginning only when a write begins with every frame copied back, which a checkpoint
 * racing the writer rarely achieves; so the main connection keeps its own automatic
 * checkpoint at a larger size. That one finds almost everything copied already: it syncs
 * and lets the WAL start over, once per BACKSTOP_PAGES instead of a full checkpoint per
 * 1,000 pages. If the thread fails, the main connection goes back to SQLite's default.
 */
import type { Database } from "bun:sqlite";
import type { Logger } from "../../ops/log.ts";

export type CheckpointerLog = Pick<Logger, "debug" | "warn">;

export type CheckpointRequest = { readonly kind: "close" };

export type CheckpointerMessage =
  | { readonly kind: "running" }
  | { readonly kind: "failing"; readonly error: string }
  | { readonly kind: "closed" };

/**
 * The main connection's automatic checkpoint while the thread does the copying (pages).
 * Larger is fewer restarts of the WAL but longer stalls of the request thread: the GitHub
 * ingest benchmark's p99 at 32 connections was ~56 ms at 10,000 pages, ~43 at 5,000, ~34
 * at 3,000 and ~30 at 2,000, with throughput ~10% lower at 3,000 than at 10,000 (NOTES).
 */
export const BACKSTOP_PAGES = 3_000;
/** SQLite's own default, for when the thread cannot run. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/** How long closing waits for the thread to close its connection. */
const CLOSE_WAIT_MS = 2_000;

/**
 * The thread's script. From source, it sits beside this file. In the compiled executable
 * (scripts/build.ts lists it as an entrypoint) every module's import.meta.url is the
 * executable's own, `/$bunfs/root/hookyard`, and the script sits at its path under src/.
 */
const WORKER_SCRIPT = import.meta.path.endsWith("wal-checkpointer.ts")
  ? new URL("./checkpoint-worker.ts", import.meta.url).href
  : new URL("./store/sqlite/checkpoint-worker.ts", import.meta.url).href;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private closed: (() => void) | undefined;

  /**
   * @param path the database file, opened again by the thread
   * @param sqlite the main connection, whose own checkpoints become the backstop
   */
  constructor(
    path: string,
    private readonly sqlite: Database,
    private readonly log: CheckpointerLog,
  ) {
    const worker = new Worker(WORKER_SCRIPT, { argv: [path] });
    worker.onmessage = (event: MessageEvent<CheckpointerMessage>) => {
      const message = event.data;
      if (message.kind === "running") log.debug("sqlite: WAL checkpoints run on their own thread");
      else if (message.kind === "closed") this.closed?.();
      else this.giveUp(message.error);
    };
    worker.onerror = (event) => this.giveUp(event.message);
    this.worker = worker;
    sqlite.run(`pragma wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** Lets the thread close its connection (so no checkpoint is cut short), then ends it. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    let timer: Timer | undefined;
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
      worker.postMessage({ kind: "close" } satisfies CheckpointRequest);
    });
    clearTimeout(timer);
    worker.terminate();
  }

  private giveUp(error: string): void {
    if (this.worker === undefined) return;
    this.worker.terminate();
    this.worker = undefined;
    this.sqlite.run(`pragma wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    this.log.warn("sqlite: the WAL checkpoint thread stopped; commits checkpoint again", {
      error,
    });
  }
}
