/**
 * A fake of the Svix API for relay tests: the two calls hookyard's relay makes with the official
 * `svix` client (application getOrCreate, message create), answered the way Svix answers them,
 * plus scripted failures (status codes, slowness, dropped connections) so the relay's retry
 * policy can be tested against the real client.
 *
 * Faithful to Svix where it matters for exactly-once: an `eventId` already accepted for an app
 * → 409; a repeated `idempotency-key` on the same URL → the first 2xx answer replayed, nothing
 * stored (Svix caches only 2xx answers, so a key whose first request failed can be retried);
 * uids, event types and payloads validated as Svix does (422).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeSvixMessage {
  /** The app's uid (its id when it was created without one). */
  readonly appUid: string;
  readonly eventId: string | null;
  readonly eventType: string;
  readonly payload: unknown;
  readonly idempotencyKey: string | null;
  /** Svix's message id, `msg_…`. */
  readonly id: string;
  readonly receivedAt: Date;
}

/** A scripted failure of one message-create request; `status` and `drop` store nothing. */
export type FakeFailure =
  /** Svix's JSON error body; a 429 carries `Retry-After` when `retryAfterSeconds` is given. */
  | { kind: "status"; status: 429 | 500 | 502 | 503; retryAfterSeconds?: number }
  /** Waits, then is handled normally: stored even if the client gave up, as a late server. */
  | { kind: "slow"; delayMs: number }
  /** Closes the connection after reading the request, without any response. */
  | { kind: "drop" };

export interface FakeSvixRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly status: number | "dropped";
  /** `performance.now()` when the request arrived (it is logged once answered). */
  readonly at: number;
  readonly idempotencyKey: string | null;
}

export interface FakeSvixApp {
  /** The uid, or the id when the app was created without a uid. */
  readonly uid: string;
  readonly name: string;
  readonly id: string;
}

export interface FakeSvix {
  readonly url: string;
  readonly token: string;
  /** Keyed by uid (by id for apps created without one). */
  readonly apps: ReadonlyMap<string, FakeSvixApp>;
  readonly messages: readonly FakeSvixMessage[];
  readonly requests: readonly FakeSvixRequest[];
  /** `${appUid}/${eventId}` → how many messages were accepted with it (1 for exactly-once). */
  countByEventId(): Map<string, number>;
  /** Queues failures for the next message-create requests, one each, in order. */
  failNext(...failures: FakeFailure[]): void;
  /** Fails each message-create with probability `rate` (0 turns it off); seeded, so repeatable. */
  setFailureRate(rate: number, failure: FakeFailure, seed?: number): void;
  /** Resolves once `messages.length >= count`; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface StoredApp extends FakeSvixApp {
  readonly hasUid: boolean;
  readonly metadata: Record<string, string>;
  readonly createdAt: string;
}

type Json = Record<string, unknown>;

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers,
});
const httpError = (status: number, code: string, detail: string, headers = {}) =>
  answer(status, { code, detail }, headers);
/** Svix's 422 shape, which the client parses as HTTPValidationError. */
const invalid = (loc: string[], msg: string) =>
  answer(422, { detail: [{ loc, msg, type: "value_error" }] });

const FAILURE_ERRORS: Record<429 | 500 | 502 | 503, [code: string, detail: string]> = {
  429: ["rate_limited", "Too many requests"],
  500: ["server_error", "Internal server error"],
  502: ["bad_gateway", "Bad gateway"],
  503: ["service_unavailable", "Service unavailable"],
};

/** Svix's rule for uids, event type names and ids in paths: `[a-zA-Z0-9\-_.]`, 1–256 chars. */
const LIMITED_STRING = /^[\w.-]{1,256}$/;
const LIMITED_MSG = "String must match the following pattern: [a-zA-Z0-9\\-_.], 1 to 256 chars.";

const limitedProblem = (value: unknown): string | undefined =>
  typeof value === "string" && LIMITED_STRING.test(value) ? undefined : LIMITED_MSG;

/** A uid must also not look like an id (`app_…`, `msg_…`). */
function uidProblem(value: unknown, idPrefix: string): string | undefined {
  const problem = limitedProblem(value);
  if (problem || !String(value).startsWith(idPrefix)) return problem;
  return "Uids may not have the same prefix as the ID.";
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function newId(prefix: "app_" | "msg_"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(27));
  return prefix + Array.from(bytes, (byte) => BASE62[byte % 62]).join("");
}

/** mulberry32: tiny, seedable, good enough to pick which requests fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function checkFailure(failure: FakeFailure): FakeFailure {
  if (failure.kind === "status" && !(failure.status in FAILURE_ERRORS)) {
    throw new RangeError(`fake svix: unsupported failure status ${failure.status}`);
  }
  if (failure.kind === "slow" && !(failure.delayMs >= 0)) {
    throw new RangeError(`fake svix: delayMs must be >= 0, got ${failure.delayMs}`);
  }
  return failure;
}

function failureAnswer(failure: Extract<FakeFailure, { kind: "status" }>): Answer {
  const [code, detail] = FAILURE_ERRORS[failure.status];
  const headers: Record<string, string> =
    failure.status === 429 && failure.retryAfterSeconds !== undefined
      ? { "retry-after": String(failure.retryAfterSeconds) }
      : {};
  return httpError(failure.status, code, detail, headers);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs `handler` on the JSON object body, or answers 400 when there is none. */
function withJsonBody(raw: string, handler: (body: Json) => Answer): Answer {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {}
  return isObject(value)
    ? handler(value)
    : httpError(400, "bad_request", "The body must be a JSON object.");
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export async function startFakeSvix(options: { token?: string } = {}): Promise<FakeSvix> {
  const token = options.token ?? "testsk_fake_svix_token";
  const apps = new Map<string, StoredApp>();
  const messages: FakeSvixMessage[] = [];
  const requests: FakeSvixRequest[] = [];
  const acceptedEventIds = new Set<string>();
  /** URL + key → the first 2xx answer, replayed as Svix's idempotency layer does. */
  const idempotentAnswers = new Map<string, Answer>();
  const failureQueue: FakeFailure[] = [];
  let failureRate: { rate: number; failure: FakeFailure; random: () => number } | undefined;
  const waiters = new Set<{ count: number; settle: (error?: Error) => void }>();
  const sleeps = new Set<Timer>();

  const findApp = (idOrUid: string) =>
    apps.get(idOrUid) ?? [...apps.values()].find((app) => app.id === idOrUid);

  function insertApp(body: Json, uid: string | null): StoredApp {
    const now = new Date().toISOString();
    const id = newId("app_");
    const metadata = isObject(body.metadata) ? (body.metadata as Record<string, string>) : {};
    const app = { id, uid: uid ?? id, hasUid: uid !== null, name: String(body.name), metadata };
    const stored: StoredApp = { ...app, createdAt: now };
    apps.set(stored.uid, stored);
    return stored;
  }

  const appOut = (app: StoredApp) => ({
    id: app.id,
    uid: app.hasUid ? app.uid : null,
    name: app.name,
    metadata: app.metadata,
    createdAt: app.createdAt,
    updatedAt: app.createdAt,
  });

  function appInProblem(body: Json, loc: string[]): Answer | undefined {
    if (typeof body.name !== "string" || body.name === "") {
      return invalid([...loc, "name"], "name must be a non-empty string");
    }
    const problem = body.uid == null ? undefined : uidProblem(body.uid, "app_");
    return problem === undefined ? undefined : invalid([...loc, "uid"], problem);
  }

  function createApp(body: Json, getIfExists: boolean): Answer {
    const problem = appInProblem(body, ["body"]);
    if (problem) return problem;
    const uid = typeof body.uid === "string" ? body.uid : null;
    const existing = uid === null ? undefined : apps.get(uid);
    if (existing && getIfExists) return answer(200, appOut(existing));
    if (existing) return httpError(409, "conflict", "An application with this uid already exists.");
    return answer(201, appOut(insertApp(body, uid)));
  }

  /** The app named in the path, or created from `application` in the body as Svix allows. */
  function resolveApp(idOrUid: string, body: Json): { app: StoredApp } | { refusal: Answer } {
    const app = findApp(idOrUid);
    if (app) return { app };
    if (!isObject(body.application)) {
      return { refusal: httpError(404, "not_found", "Application not found") };
    }
    const problem = appInProblem(body.application, ["body", "application"]);
    if (problem) return { refusal: problem };
    if (body.application.uid !== idOrUid) {
      const msg = "Application UID in the path and body must match";
      return { refusal: invalid(["body", "application", "uid"], msg) };
    }
    return { app: insertApp(body.application, idOrUid) };
  }

  function createMessage(
    idOrUid: string,
    body: Json,
    withContent: boolean,
    key: string | null,
  ): Answer {
    const typeProblem = limitedProblem(body.eventType);
    if (typeProblem) return invalid(["body", "eventType"], typeProblem);
    const eventIdProblem = body.eventId == null ? undefined : uidProblem(body.eventId, "msg_");
    if (eventIdProblem) return invalid(["body", "eventId"], eventIdProblem);
    if (!isObject(body.payload)) return invalid(["body", "payload"], "Payload must be an object.");
    if (!LIMITED_STRING.test(idOrUid)) return invalid(["path", "app_id_or_uid"], LIMITED_MSG);
    const resolved = resolveApp(idOrUid, body);
    if ("refusal" in resolved) return resolved.refusal;
    const { app } = resolved;
    const eventId = typeof body.eventId === "string" ? body.eventId : null;
    if (eventId !== null && acceptedEventIds.has(`${app.id}\n${eventId}`)) {
      return httpError(409, "conflict", "A message with this eventId already exists.");
    }
    if (eventId !== null) acceptedEventIds.add(`${app.id}\n${eventId}`);
    const eventType = body.eventType as string;
    const message: FakeSvixMessage = {
      appUid: app.uid,
      eventId,
      eventType,
      payload: body.payload,
      idempotencyKey: key,
      id: newId("msg_"),
      receivedAt: new Date(),
    };
    messages.push(message);
    return answer(202, {
      id: message.id,
      eventType,
      eventId,
      // Svix answers `{}` unless asked `with_content=true`; the svix client asks for false.
      payload: withContent ? body.payload : {},
      channels: Array.isArray(body.channels) ? body.channels : null,
      timestamp: message.receivedAt.toISOString(),
    });
  }

  function idempotent(scope: string, key: string | null, run: () => Answer): Answer {
    if (key === null) return run();
    const replay = idempotentAnswers.get(`${scope}\n${key}`);
    if (replay) return replay;
    const fresh = run();
    if (fresh.status >= 200 && fresh.status < 300) idempotentAnswers.set(`${scope}\n${key}`, fresh);
    return fresh;
  }

  function nextFailure(): FakeFailure | undefined {
    const queued = failureQueue.shift();
    if (queued) return queued;
    if (failureRate && failureRate.random() < failureRate.rate) return failureRate.failure;
    return undefined;
  }

  /** Never settles once the fake is stopped: the request dies with its connection. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleeps.delete(timer);
        resolve();
      }, ms);
      sleeps.add(timer);
    });

  async function route(request: IncomingMessage, url: URL, raw: string): Promise<Answer | "drop"> {
    if (request.headers.authorization !== `Bearer ${token}`) {
      return httpError(401, "authentication_failed", "Invalid or missing bearer token.");
    }
    const segments = url.pathname.split("/").filter((segment) => segment !== "");
    const isApi = request.method === "POST" && segments[0] === "api" && segments[1] === "v1";
    const key = headerValue(request, "idempotency-key");
    const scope = url.pathname + url.search;
    if (isApi && segments.length === 3 && segments[2] === "app") {
      const getIfExists = url.searchParams.get("get_if_exists") === "true";
      return idempotent(scope, key, () =>
        withJsonBody(raw, (body) => createApp(body, getIfExists)),
      );
    }
    if (isApi && segments.length === 5 && segments[2] === "app" && segments[4] === "msg") {
      // Injected failures stand for what happens before Svix's handler (load balancer,
      // rate limiter, network), so they come before the idempotency replay and store nothing.
      const failure = nextFailure();
      if (failure?.kind === "drop") return "drop";
      if (failure?.kind === "status") return failureAnswer(failure);
      if (failure?.kind === "slow") await sleep(failure.delayMs);
      const idOrUid = decodeSegment(segments[3] ?? "") ?? "";
      const withContent = url.searchParams.get("with_content") !== "false";
      return idempotent(scope, key, () =>
        withJsonBody(raw, (body) => createMessage(idOrUid, body, withContent, key)),
      );
    }
    return httpError(404, "not_found", "Entity not found");
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(request.url ?? "/", "http://fake-svix");
    const log = (status: number | "dropped") =>
      requests.push({
        method: request.method ?? "GET",
        path: url.pathname,
        status,
        at,
        idempotencyKey: headerValue(request, "idempotency-key"),
      });
    let outcome: Answer | "drop";
    try {
      outcome = await route(request, url, await readBody(request));
    } catch (error) {
      outcome = httpError(500, "server_error", `fake svix: ${(error as Error).message}`);
    }
    if (outcome === "drop") {
      log("dropped");
      request.socket.destroy();
      return;
    }
    log(outcome.status);
    // After logging, so a test woken by waitForMessages also sees the request's status.
    for (const waiter of waiters) if (messages.length >= waiter.count) waiter.settle();
    response.writeHead(outcome.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(outcome.body),
      ...outcome.headers,
    });
    response.end(outcome.body);
  }

  // node:http rather than Bun.serve: dropping a connection without any answer needs the
  // socket, which Bun.serve does not expose.
  const server = createServer((request, response) => void handle(request, response));
  // Keep idle keep-alive connections open until stop(), so a client never reuses one the
  // fake is closing at that moment (a spurious ECONNRESET no test asked for).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    apps,
    messages,
    requests,
    countByEventId() {
      const counts = new Map<string, number>();
      for (const { appUid, eventId } of messages) {
        if (eventId === null) continue;
        const key = `${appUid}/${eventId}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    failNext(...failures) {
      failureQueue.push(...failures.map(checkFailure));
    },
    setFailureRate(rate, failure, seed = 1) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fake svix: rate ${rate} not in [0, 1]`);
      failureRate =
        rate === 0
          ? undefined
          : { rate, failure: checkFailure(failure), random: seededRandom(seed) };
    },
    waitForMessages(count, timeoutMs = 5_000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          count,
          settle: (error?: Error) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            if (error) reject(error);
            else resolve();
          },
        };
        const timer = setTimeout(() => {
          const got = messages.length;
          waiter.settle(new Error(`fake svix: waited for ${count} messages, got ${got}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async stop() {
      for (const timer of sleeps) clearTimeout(timer);
      sleeps.clear();
      for (const waiter of waiters) waiter.settle(new Error("fake svix: stopped"));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === "string" ? value : null;
}
