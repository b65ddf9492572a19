/**
 * A webhook receiver for delivery tests: a Bun server on 127.0.0.1 that records every
 * request (verified with svix's own `Webhook.verify`, as a real receiver would), answers
 * as the test scripts it, and lets tests await "the Nth request arrived" instead of
 * sleeping. Also a logger that lets tests await hookyard's own record of each attempt.
 */
import { Webhook } from "svix";
import { createLogger, type Logger } from "../../src/ops/log.ts";

export interface ReceivedRequest {
  /** `webhook-id`, the Standard Webhooks message id. */
  readonly id: string;
  readonly headers: Headers;
  readonly body: string;
  /** `performance.now()` when the request arrived. */
  readonly arrivedAt: number;
  /** Whether svix's Webhook.verify accepted it, when the receiver knows the secret. */
  readonly verified: boolean | undefined;
  /** svix's error message when it refused. */
  readonly verifyError?: string;
  /** 0 for the first request this receiver saw. */
  readonly index: number;
}

/** How the receiver answers a request; may never resolve (a receiver that hangs). */
export type Responder = (request: ReceivedRequest) => Response | Promise<Response>;

export interface Receiver {
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /** The secret to verify with (set it once the endpoint is created). */
  secret: string | undefined;
  respond: Responder;
  /** Resolves with the requests once `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<readonly ReceivedRequest[]>;
  /** Drops the requests recorded so far, so a long run does not keep every body. */
  forget(): void;
  stop(): Promise<void>;
}

export const ok: Responder = () => new Response("ok");

export function startReceiver(respond: Responder = ok): Receiver {
  const requests: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: Receiver = {
    url: "",
    requests,
    secret: undefined,
    respond,
    waitFor: (count, timeoutMs = 10_000) => {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      return withTimeout(
        new Promise<void>((resolve) => waiters.push({ count, resolve })),
        timeoutMs,
        () => `receiver: waited for ${count} requests, got ${requests.length}`,
      ).then(() => requests.slice());
    },
    forget: () => {
      requests.length = 0;
    },
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // Slow and silent receivers are the point of some tests.
    idleTimeout: 0,
    async fetch(request) {
      const body = await request.text();
      const headers = request.headers;
      let verified: boolean | undefined;
      let verifyError: string | undefined;
      if (receiver.secret !== undefined) {
        try {
          new Webhook(receiver.secret).verify(body, Object.fromEntries(headers));
          verified = true;
        } catch (error) {
          verified = false;
          verifyError = (error as Error).message;
        }
      }
      const received: ReceivedRequest = {
        id: headers.get("webhook-id") ?? "",
        headers,
        body,
        arrivedAt: performance.now(),
        verified,
        ...(verifyError === undefined ? {} : { verifyError }),
        index: requests.length,
      };
      requests.push(received);
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return receiver.respond(received);
    },
  });
  (receiver as { url: string }).url = `http://127.0.0.1:${server.port}/hook`;
  return receiver;
}

/** A Retry-After or other status answer, with a small body. */
export function status(code: number, headers: Record<string, string> = {}): Response {
  return new Response(`status ${code}`, { status: code, headers });
}

/** A 200 whose body never ends: a receiver answering with gigabytes. */
export function endlessResponse(): Response {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  return new Response(
    new ReadableStream({
      pull(controller) {
        controller.enqueue(chunk);
      },
    }),
    { status: 200 },
  );
}

/** A logged line of hookyard's, parsed. */
export type LogEntry = Record<string, unknown> & { readonly msg: string; readonly level: string };

/**
 * A logger for startTestApp that keeps every line, so tests can await hookyard's record
 * of an attempt (the worker logs "delivery attempt" once it is stored).
 */
export function capturingLogger() {
  const entries: LogEntry[] = [];
  const waiters: { match: (entries: LogEntry[]) => boolean; resolve: () => void }[] = [];
  const log: Logger = createLogger("debug", (line) => {
    entries.push(JSON.parse(line) as LogEntry);
    for (const waiter of waiters.filter((w) => w.match(entries))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const attempts = (deliveryId?: string) =>
    entries.filter(
      (e) =>
        e.msg === "delivery attempt" && (deliveryId === undefined || e.delivery_id === deliveryId),
    );
  return {
    log,
    entries,
    attempts,
    /** Resolves once `count` attempts (of one delivery, if given) are recorded. */
    waitForAttempts(count: number, deliveryId?: string, timeoutMs = 10_000): Promise<LogEntry[]> {
      const done = () => attempts(deliveryId).length >= count;
      if (done()) return Promise.resolve(attempts(deliveryId));
      return withTimeout(
        new Promise<void>((resolve) => waiters.push({ match: done, resolve })),
        timeoutMs,
        () => `waited for ${count} recorded attempts, got ${attempts(deliveryId).length}`,
      ).then(() => attempts(deliveryId));
    },
  };
}

/** Fails a wait that would otherwise hang the test file, saying what was missing. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: Timer | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
