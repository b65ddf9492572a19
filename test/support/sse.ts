/**
 * A server-sent events client for tests: reads a text/event-stream response as the
 * WHATWG parser does (fields, comments, a blank line dispatches) and lets a test await
 * the next message that matches, instead of sleeping.
 */

export interface SseMessage {
  /** "message" when the server named none; "comment" for a comment line. */
  readonly event: string;
  readonly data: string;
  /** The id field of this message, if it had one. */
  readonly id: string | undefined;
}

export interface SseClient {
  readonly response: Response;
  /** Every message and comment read so far, in order. */
  readonly messages: readonly SseMessage[];
  /** Resolves with the first message from now on (or already read, unclaimed) that matches. */
  next(match: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export const isEvent = (message: SseMessage) => message.event === "event";
export const isDelivery = (message: SseMessage) => message.event === "delivery";
export const dataOf = <T = Record<string, unknown>>(message: SseMessage) =>
  JSON.parse(message.data) as T;

export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  const messages: SseMessage[] = [];
  let claimed = 0;
  const waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  const reader = response.body?.getReader();

  const offer = (message: SseMessage) => {
    messages.push(message);
    const waiter = waiters.find((w) => w.match(message));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      claimed = messages.length;
      waiter.resolve(message);
    }
  };

  const ended = (async () => {
    if (!reader || response.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = "";
    let event = "";
    let data: string[] = [];
    let id: string | undefined;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
          if (line === "") {
            if (data.length > 0) offer({ event: event || "message", data: data.join("\n"), id });
            event = "";
            data = [];
            id = undefined;
          } else if (line.startsWith(":")) {
            offer({ event: "comment", data: line.slice(1).trim(), id: undefined });
          } else {
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") event = value;
            else if (field === "data") data.push(value);
            else if (field === "id") id = value;
          }
        }
      }
    } catch {
      // Closed by the test, or cut by the server: either ends the stream.
    }
  })();

  return {
    response,
    messages,
    ended,
    next(match, timeoutMs = 10_000) {
      const earlier = messages.slice(claimed).find(match);
      if (earlier) {
        claimed = messages.indexOf(earlier) + 1;
        return Promise.resolve(earlier);
      }
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching message within ${timeoutMs} ms; got ${messages.length}`));
        }, timeoutMs);
      });
    },
    async close() {
      await reader?.cancel().catch(() => {});
      await ended;
    },
  };
}
