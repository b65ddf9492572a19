/**
 * The thread side of ./writer-thread.ts: answers each request with what `write` returns,
 * or its error and the error's code.
 */
import type { WriterAnswer, WriterRequest } from "./writer-thread.ts";

declare const self: Worker;

export function serveWrites<T, R>(write: (request: T) => R | Promise<R>): void {
  self.onmessage = async (message: MessageEvent<WriterRequest<T>>) => {
    const { id, request } = message.data;
    let answer: WriterAnswer<R>;
    try {
      answer = { id, ok: true, outcome: await write(request) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      answer = {
        id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(typeof code === "string" ? { code } : {}),
      };
    }
    self.postMessage(answer);
  };
}
