/**
 * One client's response body on a live stream, with a bounded queue in front. Bun pulls
 * from the body as fast as the socket takes bytes; what a client does not read waits in
 * the queue, and a client that falls too far behind is dropped (its connection closed)
 * rather than held in memory without end. An EventSource reconnects with Last-Event-ID
 * and catches up from the store at its own pace.
 */

export interface ClientLimits {
  /** Bytes waiting for the client before it is dropped. */
  readonly maxQueuedBytes: number;
}

export type CloseReason = "ended" | "gone" | "too-slow";

const encoder = new TextEncoder();

export class ClientStream {
  readonly body: ReadableStream<Uint8Array>;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private wakeReader: (() => void) | undefined;
  private closedFor: CloseReason | undefined;

  /**
   * @param onDrained called when the client has read everything queued, before waiting for
   *   more: a stream catching up reads its next page from the store there, so the pace of
   *   reading from the store is the client's.
   * @param onClose called once, however the stream ends.
   */
  constructor(
    private readonly limits: ClientLimits,
    private readonly onClose: (reason: CloseReason) => void,
    private readonly onDrained?: () => Promise<void>,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      pull: (controller) => this.pull(controller),
      cancel: () => this.finish("gone"),
    });
  }

  get closed(): boolean {
    return this.closedFor !== undefined;
  }

  /** True when nothing waits for the client. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  get queuedByteCount(): number {
    return this.queuedBytes;
  }

  /**
   * Queues `text` for the client. A message always fits an empty queue (one large event
   * still goes out); past the limit the client is dropped. False once the stream is closed.
   */
  send(text: string): boolean {
    if (this.closedFor) return false;
    const bytes = encoder.encode(text);
    if (this.queue.length > 0 && this.queuedBytes + bytes.length > this.limits.maxQueuedBytes) {
      this.drop();
      return false;
    }
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.wake();
    return true;
  }

  /** Ends the stream once the client has read what is queued. */
  end(): void {
    if (this.closedFor) return;
    this.finish("ended");
    this.wake();
  }

  private drop(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.finish("too-slow");
    try {
      // Without a reason: Bun logs an Error given here as if it were a crash.
      this.controller?.error();
    } catch {
      // Already closed by the runtime.
    }
    this.wake();
  }

  private finish(reason: CloseReason): void {
    if (this.closedFor) return;
    this.closedFor = reason;
    this.onClose(reason);
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (this.queue.length === 0 && !this.closedFor && this.onDrained) await this.onDrained();
    while (this.queue.length === 0 && !this.closedFor) {
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
    }
    if (this.closedFor === "too-slow" || this.closedFor === "gone") return;
    if (this.queue.length > 0) {
      const chunk = this.queue.length === 1 ? (this.queue[0] as Uint8Array) : concat(this.queue);
      this.queue = [];
      this.queuedBytes = 0;
      controller.enqueue(chunk);
    }
    if (this.closedFor === "ended" && this.queue.length === 0) {
      try {
        controller.close();
      } catch {
        // Already closed by the runtime.
      }
    }
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
