/**
 * `hookyard listen`: reads a hookyard's live stream (GET /events/stream) and sends each
 * event on to a local URL, one at a time, in the order they were stored.
 *
 * Nothing is missed or sent twice across a reconnect: `listen` notes the id of each event
 * once it has been sent on, and reconnects with that id as Last-Event-ID; the server then
 * sends what was stored after it, read from its store, before going on live. It reads the
 * stream only as fast as the local app answers: a hookyard that has much to send waits,
 * and one that drops `listen` for being slow is caught up with from the store as well.
 */
import { formatDuration } from "../config/units.ts";
import { describeFetchError, openStream, streamUrl } from "./connect.ts";
import { forwardEvent } from "./forward.ts";
import { parseStreamedEvent } from "./forward-request.ts";
import type { ListenOptions } from "./options.ts";
import { eventLine, seconds } from "./report.ts";
import { eventIdFloor, reconnectDelay } from "./resume.ts";
import { SseParser } from "./sse-parser.ts";

export interface ListenIo {
  readonly fetch: typeof fetch;
  /** One line of the event log (stdout). */
  readonly print: (line: string) => void;
  /** One status line (stderr). */
  readonly status: (line: string) => void;
  readonly now: () => number;
  /** Waits `ms`, or less when `stop` aborts (abortableSleep). */
  readonly sleep: (ms: number, stop: AbortSignal) => Promise<void>;
}

/** Exit codes, as every hookyard command uses them. */
export const EXIT_STOPPED = 0;
export const EXIT_REFUSED = 2;

/**
 * hookyard sends a keep-alive comment every 5 s: a stream silent this long has been cut
 * somewhere without a reset (a sleeping laptop, a NAT that forgot it) and is opened again.
 */
export const SILENT_STREAM_MS = 30_000;

/** A connection that lasted this long was a working one: the backoff starts over. */
const HEALTHY_CONNECTION_MS = 10_000;

/** Where the next connection resumes: after this id (Last-Event-ID), or live when unset. */
interface Resume {
  id: string | undefined;
}

/** Runs until `stop` aborts (→ 0) or the hookyard refuses it for good (→ 2). */
export async function listen(
  options: ListenOptions,
  io: ListenIo,
  stop: AbortSignal,
  silentStreamMs: number = SILENT_STREAM_MS,
): Promise<number> {
  const url = streamUrl(options);
  const resume: Resume = { id: undefined };
  if (options.replaySinceMs !== undefined) {
    const since = io.now() - options.replaySinceMs;
    resume.id = eventIdFloor(since);
    io.status(
      `replaying the events stored since ${new Date(since).toISOString()} (${formatDuration(options.replaySinceMs)} ago), then live`,
    );
  }
  let failures = 0;
  let openedBefore = false;
  while (!stop.aborted) {
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const answer = await openStream(
        { url, token: options.token, resumeAfter: resume.id, openedBefore },
        io.fetch,
        stop,
      );
      if (answer.kind === "stop") {
        io.status(`hookyard listen: ${answer.reason}`);
        return EXIT_REFUSED;
      }
      if (answer.kind === "retry") {
        reason = answer.reason;
        retryAfterMs = answer.retryAfterMs;
      } else {
        io.status(connectedLine(url, options.forward, resume.id, openedBefore));
        openedBefore = true;
        // A first connection streams what is stored from now on. Cut before its first
        // event, the next one resumes from when it opened, by the server's clock (its Date
        // header, to the second), so that nothing stored meanwhile is missed.
        resume.id ??= eventIdFloor(answer.serverTimeMs ?? io.now());
        const openedAt = io.now();
        const read = await relay(answer.body, { options, io, stop, resume, silentStreamMs });
        if (read.forwarded > 0 || io.now() - openedAt >= HEALTHY_CONNECTION_MS) failures = 0;
        reason = read.reason;
      }
    } catch (error) {
      if (stop.aborted) break;
      throw error;
    }
    const delayMs = reconnectDelay(failures++, retryAfterMs);
    io.status(`${reason}; reconnecting in ${seconds(delayMs)}`);
    await io.sleep(delayMs, stop);
  }
  return EXIT_STOPPED;
}

function connectedLine(
  url: string,
  forward: string,
  resumeAfter: string | undefined,
  reconnect: boolean,
): string {
  const from = !reconnect || resumeAfter === undefined ? "" : `, resuming after ${resumeAfter}`;
  return `connected to ${url}${from}; forwarding events to ${forward}`;
}

/**
 * Reads one open stream to its end, sending each event on before reading further.
 * Returns why it ended, and how many events it sent on.
 */
async function relay(
  body: ReadableStream<Uint8Array>,
  {
    options,
    io,
    stop,
    resume,
    silentStreamMs,
  }: {
    options: ListenOptions;
    io: ListenIo;
    stop: AbortSignal;
    resume: Resume;
    silentStreamMs: number;
  },
): Promise<{ reason: string; forwarded: number }> {
  const reader = body.getReader();
  const parser = new SseParser();
  let forwarded = 0;
  const ended = (reason: string) => ({ reason, forwarded });
  try {
    for (;;) {
      const chunk = await readWithin(reader, silentStreamMs, stop);
      if (chunk === "silent") return ended(`nothing from the stream in ${seconds(silentStreamMs)}`);
      if (chunk.done) return ended("the stream ended");
      for (const message of parser.push(chunk.value)) {
        // `delivery` messages are hookyard's own delivery outcomes: not for the local app.
        if (message.type !== "event") continue;
        const event = parseStreamedEvent(message.data);
        if (event === undefined) {
          io.status(
            `skipped a message that is not an event: ${JSON.stringify(message.data.slice(0, 120))}`,
          );
        } else {
          const outcome = await forwardEvent(options.forward, event, io.fetch, stop);
          io.print(eventLine(new Date(io.now()), event, outcome));
          forwarded++;
        }
        // Noted once sent on: Last-Event-ID means "everything up to here reached the app".
        resume.id = message.lastEventId || event?.id || resume.id;
      }
    }
  } catch (error) {
    if (stop.aborted) throw error;
    return ended(`the stream was cut: ${describeFetchError(error)}`);
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** The next chunk, or "silent" when none came within `ms` (the stream is then cancelled). */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
  stop: AbortSignal,
): Promise<Awaited<ReturnType<typeof reader.read>> | "silent"> {
  if (stop.aborted) throw stop.reason;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onStop: (() => void) | undefined;
  const silent = new Promise<"silent">((resolve) => {
    timer = setTimeout(() => resolve("silent"), ms);
  });
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => reject(stop.reason);
    stop.addEventListener("abort", onStop, { once: true });
  });
  try {
    return await Promise.race([reader.read(), silent, stopped]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop.removeEventListener("abort", onStop);
  }
}

export function abortableSleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    }
    stop.addEventListener("abort", done, { once: true });
  });
}
