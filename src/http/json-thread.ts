/**
 * The serving thread's side of ./json-worker.ts: one thread for the process, started on
 * first use and not keeping the process alive. Large bodies are read, decoded, parsed and
 * checked there, since on this thread a 24 MB body held every other request for 0.3-0.7 s
 * (UTF-8 decoding, JSON.parse, the storability walk), several such bodies for seconds.
 *
 * Bytes in a SharedArrayBuffer (./body.ts reads large bodies into one) reach the thread
 * without a copy. Nothing large comes back: a 24 MB string is copied, and the copy's
 * fresh pages stalled this thread for 100-250 ms.
 */
import type { JsonPlan } from "../lib/json-slices.ts";
import type { JsonDecoding } from "./json-decode.ts";

export type JsonThreadRequest =
  | { readonly id: number; readonly op: "buffer"; readonly size: number }
  | { readonly id: number; readonly op: "decode"; readonly bytes: Uint8Array };

/**
 * A decoded body as the thread answers it: how to parse its bytes in slices, and whether
 * they may be stored as they are.
 */
export type ThreadDecoding =
  | { readonly ok: true; readonly plan: JsonPlan; readonly reusable: boolean }
  | Extract<JsonDecoding, { ok: false }>;

export type JsonThreadAnswer =
  | { readonly id: number; readonly ok: true; readonly buffer: SharedArrayBuffer }
  | { readonly id: number; readonly ok: true; readonly decoded: ThreadDecoding }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * The thread's script. From source, it sits beside this file; in the compiled executable
 * (scripts/build.ts lists it as an entrypoint) at its path under src/.
 */
const WORKER_SCRIPT = import.meta.path.endsWith("json-thread.ts")
  ? new URL("./json-worker.ts", import.meta.url).href
  : new URL("./http/json-worker.ts", import.meta.url).href;

interface Pending {
  readonly resolve: (answer: JsonThreadAnswer) => void;
  readonly reject: (error: unknown) => void;
}

class JsonThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** A buffer of `size` bytes whose pages were touched on the thread. */
  async sharedBuffer(size: number): Promise<SharedArrayBuffer> {
    const answer = await this.ask({ id: this.nextId++, op: "buffer", size });
    if (!("buffer" in answer)) throw new Error("the JSON thread answered without a buffer");
    return answer.buffer;
  }

  async decode(bytes: Uint8Array): Promise<ThreadDecoding> {
    const answer = await this.ask({ id: this.nextId++, op: "decode", bytes });
    if (!("decoded" in answer)) throw new Error("the JSON thread answered without a body");
    return answer.decoded;
  }

  private ask(request: JsonThreadRequest): Promise<JsonThreadAnswer> {
    const worker = this.started();
    return new Promise<JsonThreadAnswer>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    }).then((answer) => {
      if (!answer.ok) throw new Error(`the JSON thread failed: ${answer.error}`);
      return answer;
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SCRIPT, { ref: false });
    worker.onmessage = (message: MessageEvent<JsonThreadAnswer>) => {
      const pending = this.pending.get(message.data.id);
      this.pending.delete(message.data.id);
      pending?.resolve(message.data);
    };
    // A thread that died fails what it was asked; the next request starts another.
    worker.onerror = (event) => {
      worker.terminate();
      if (this.worker === worker) this.worker = undefined;
      const error = new Error(`the JSON thread ended: ${event.message}`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}

let thread: JsonThread | undefined;

/** The process's JSON thread. */
export function jsonThread(): JsonThread {
  thread ??= new JsonThread();
  return thread;
}
