/**
 * The WAL checkpoint thread (./wal-checkpointer.ts): its own connection to the database
 * file (the last of the worker's argv), running a passive checkpoint every
 * CHECKPOINT_INTERVAL_MS until told `{ kind: "close" }`. A passive checkpoint takes no lock
 * that a reader or writer waits on, and with nothing new in the WAL it returns at once.
 */
import { Database } from "bun:sqlite";
import type { CheckpointerMessage, CheckpointRequest } from "./wal-checkpointer.ts";

declare const self: Worker;

/**
 * The closer the thread follows the writer, the less the main connection's backstop
 * checkpoint finds left to copy; with nothing new in the WAL a round returns at once.
 * 25 ms measured better than 100 ms under ingest load.
 */
const CHECKPOINT_INTERVAL_MS = 25;
/** Failing this long without a success, the thread says so and the main connection takes over. */
const FAILING_AFTER_MS = 10_000;

const report = (message: CheckpointerMessage) => self.postMessage(message);

const db = new Database(process.argv.at(-1) as string);
// A checkpoint is where synchronous=normal syncs the WAL (before copying its pages) and
// the database file (after): the same durability as the main connection's own.
db.run("pragma synchronous = normal");
// Never waits on a lock: a checkpoint that cannot run now runs next time.
db.run("pragma busy_timeout = 0");
const checkpoint = db.query("pragma wal_checkpoint(passive)");
report({ kind: "running" });

let failures = 0;
const timer = setInterval(() => {
  try {
    checkpoint.get();
    failures = 0;
  } catch (error) {
    // Only a failure that persists is reported (another process checkpointing the same
    // file shows as `busy` in the pragma's answer, not as an error).
    if (++failures === Math.ceil(FAILING_AFTER_MS / CHECKPOINT_INTERVAL_MS)) {
      report({ kind: "failing", error: error instanceof Error ? error.message : String(error) });
    }
  }
}, CHECKPOINT_INTERVAL_MS);

self.onmessage = (event: MessageEvent<CheckpointRequest>) => {
  if (event.data.kind !== "close") return;
  clearInterval(timer);
  db.close();
  report({ kind: "closed" });
};
