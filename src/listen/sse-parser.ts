/**
 * A streaming parser of text/event-stream, as the WHATWG HTML standard defines it
 * ("Server-sent events", §9.2.6 Interpreting an event stream): bytes go in as they arrive,
 * however the network split them, and whole messages come out. Pure: no I/O, no timers.
 *
 * Lines end with CRLF, LF or CR; a blank line dispatches the message; a line starting with
 * ":" is a comment (hookyard's keep-alives); `data:` lines join with "\n"; the `id` field
 * sets the last event id, which carries over to later messages without one. The `retry`
 * field is not read: `hookyard listen` keeps its own reconnection backoff.
 */

export interface SseMessage {
  /** The `event` field, "message" when the server named none. */
  readonly type: string;
  readonly data: string;
  /** The last `id` seen on the stream up to this message ("" when none yet). */
  readonly lastEventId: string;
}

const LINE_BREAK = /\r\n|\r|\n/g;

export class SseParser {
  // A leading byte order mark is dropped by the decoder (ignoreBOM: false), as the
  // standard asks; `stream: true` keeps a character split across chunks whole.
  private readonly decoder = new TextDecoder("utf-8");
  /** The start of a line whose end has not arrived yet. */
  private partialLine = "";
  /** The last chunk ended with CR: an LF starting the next one ends no second line. */
  private skipLineFeed = false;
  private eventType = "";
  private dataBuffer = "";
  private lastEventId = "";

  /** Feeds the next bytes (or text) of the stream; returns the messages they complete. */
  push(chunk: Uint8Array | string): SseMessage[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text === "") return [];
    if (this.skipLineFeed && text.startsWith("\n")) text = text.slice(1);
    this.skipLineFeed = text.endsWith("\r");
    const messages: SseMessage[] = [];
    let start = 0;
    for (const lineBreak of text.matchAll(LINE_BREAK)) {
      const line = this.partialLine + text.slice(start, lineBreak.index);
      this.partialLine = "";
      start = lineBreak.index + lineBreak[0].length;
      const message = this.processLine(line);
      if (message) messages.push(message);
    }
    this.partialLine += text.slice(start);
    return messages;
  }

  private processLine(line: string): SseMessage | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") this.dataBuffer += `${value}\n`;
    // An id holding NUL is ignored, as the standard says (it could not be sent back).
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const type = this.eventType || "message";
    const data = this.dataBuffer;
    this.eventType = "";
    this.dataBuffer = "";
    // A message without data lines is no message (an id alone still moves lastEventId).
    if (data === "") return undefined;
    return { type, data: data.slice(0, -1), lastEventId: this.lastEventId };
  }
}
