/**
 * Steady ingestion load for database-outage tests and drills: senders that post, one after
 * another, every kind of webhook hookyard takes in (signed GitHub pushes, entity events,
 * Pub/Sub envelopes and raw notifications, hook triggers, manual triggers), and keep each
 * answer with what identifies the row it claims to have stored, so that afterwards every
 * 2xx can be checked against the database.
 */
import type postgres from "postgres";
import { defaultBranchPush, githubDelivery } from "../fixtures/github/push.ts";

export type IngestKind = "github" | "entity" | "notification" | "hook" | "trigger";
export const INGEST_KINDS: readonly IngestKind[] = [
  "github",
  "entity",
  "notification",
  "hook",
  "trigger",
];

/** The row a 2xx says was stored. */
export type StoredKey =
  | { readonly table: "events"; readonly column: "id" | "dedupe_key"; readonly value: string }
  | { readonly table: "relay_messages"; readonly column: "id"; readonly value: string };

export interface Answer {
  readonly kind: IngestKind;
  /** The phase (as the caller names it) when the request was sent, and when it was answered. */
  readonly sentIn: string;
  readonly answeredIn: string;
  /** `Date.now()` when the answer (or the failure) came. */
  readonly answeredAt: number;
  /** The HTTP status, or "error" when no answer came (connection refused, timeout). */
  readonly status: number | "error";
  readonly error?: string;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly body: unknown;
  /** For a 2xx: the row it stands for. */
  readonly stored?: StoredKey;
}

export interface LoadOptions {
  readonly baseUrl: string;
  /** Senders posting side by side, each waiting for its answer before the next request. */
  readonly senders: number;
  /** A pause between one sender's requests, so the load is steady rather than a flood. */
  readonly pauseMs: number;
  readonly githubSecret: string;
  /** A registered hook, for `/webhook/:id`. */
  readonly hookId: string;
  /** The current phase of the test ("before", "down", …), recorded on each answer. */
  readonly phase: () => string;
  readonly requestTimeoutMs?: number;
}

export interface Load {
  readonly answers: readonly Answer[];
  /** Stops sending and resolves once every sender's last request is answered. */
  stop(): Promise<readonly Answer[]>;
}

export function startLoad(options: LoadOptions): Load {
  const answers: Answer[] = [];
  let running = true;
  let counter = 0;
  const sender = async (offset: number) => {
    while (running) {
      const n = counter++;
      const kind = INGEST_KINDS[(n + offset) % INGEST_KINDS.length] as IngestKind;
      answers.push(await send(kind, n, options));
      if (options.pauseMs > 0) await Bun.sleep(options.pauseMs);
    }
  };
  const senders = Array.from({ length: options.senders }, (_, i) => sender(i));
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(senders);
      return answers;
    },
  };
}

interface Outgoing {
  readonly path: string;
  readonly init: RequestInit;
  /** The stored row, from the answer's body when only the answer can tell. */
  readonly key: (body: unknown) => StoredKey | undefined;
}

function request(
  kind: IngestKind,
  n: number,
  options: Pick<LoadOptions, "githubSecret" | "hookId">,
): Outgoing {
  const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const field = (body: unknown, name: string) => {
    const value = (body as Record<string, unknown> | null)?.[name];
    return typeof value === "string" ? value : undefined;
  };
  switch (kind) {
    case "github": {
      const deliveryId = crypto.randomUUID();
      const payload = defaultBranchPush();
      payload.after = Bun.hash(`push-${n}`).toString(16).padStart(40, "0").slice(0, 40);
      const delivery = githubDelivery({
        event: "push",
        payload,
        secret: options.githubSecret,
        deliveryId,
      });
      return {
        path: "/webhooks/github",
        init: { method: "POST", headers: delivery.headers, body: delivery.body },
        key: () => ({ table: "events", column: "dedupe_key", value: deliveryId }),
      };
    }
    case "entity": {
      const key = `outage-${crypto.randomUUID()}`;
      const body = {
        action: "create",
        entity_type: "task",
        time: new Date().toISOString(),
        payload: { id: `task-${n}`, title: `task ${n}` },
      };
      return {
        path: "/webhooks/event",
        init: json(body, { "idempotency-key": key }),
        key: () => ({ table: "events", column: "dedupe_key", value: key }),
      };
    }
    case "notification": {
      const event = {
        id: `evt-${crypto.randomUUID()}`,
        type: "user.created",
        project: "outage",
        time: new Date().toISOString(),
        data: { n },
      };
      // Half as Pub/Sub pushes them, half raw.
      const body =
        n % 2 === 0
          ? {
              message: {
                data: Buffer.from(JSON.stringify(event)).toString("base64"),
                messageId: String(n),
                publishTime: new Date().toISOString(),
              },
              subscription: "projects/p/subscriptions/outage",
            }
          : event;
      return {
        path: "/notifications",
        init: json(body),
        key: (answer) => {
          const id = field(answer, "id");
          return id === undefined
            ? undefined
            : { table: "relay_messages", column: "id", value: id };
        },
      };
    }
    case "hook":
    case "trigger": {
      return {
        path: kind === "hook" ? `/webhook/${options.hookId}` : "/trigger/outage.test",
        init: json({ n }),
        key: (answer) => {
          const id = field(answer, "event_id");
          return id === undefined ? undefined : { table: "events", column: "id", value: id };
        },
      };
    }
  }
}

/** Sends one request of `kind` (the `n`th of the run) and keeps its answer. */
export async function send(
  kind: IngestKind,
  n: number,
  options: Omit<LoadOptions, "senders" | "pauseMs">,
): Promise<Answer> {
  const outgoing = request(kind, n, options);
  const sentIn = options.phase();
  try {
    const response = await fetch(`${options.baseUrl}${outgoing.path}`, {
      ...outgoing.init,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: a non-JSON answer is itself a finding
    }
    const ok = response.status >= 200 && response.status < 300;
    const stored = ok ? outgoing.key(body) : undefined;
    return {
      kind,
      sentIn,
      answeredIn: options.phase(),
      answeredAt: Date.now(),
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      contentType: response.headers.get("content-type"),
      body,
      ...(stored ? { stored } : {}),
    };
  } catch (error) {
    return {
      kind,
      sentIn,
      answeredIn: options.phase(),
      answeredAt: Date.now(),
      status: "error",
      error: (error as Error).message,
      retryAfter: null,
      contentType: null,
      body: undefined,
    };
  }
}

export const isSuccess = (answer: Answer) =>
  typeof answer.status === "number" && answer.status >= 200 && answer.status < 300;

/**
 * The 2xx answers whose row is not in the database: "lost" events. A 2xx that names no
 * row counts as lost too, since nothing proves it was stored.
 */
export async function unstored(sql: postgres.Sql, answers: readonly Answer[]): Promise<Answer[]> {
  const events = await sql<{ id: string; dedupe_key: string | null }[]>`
    select id, dedupe_key from events`;
  const relay = await sql<{ id: string }[]>`select id from relay_messages`;
  const found: Record<string, Set<string>> = {
    "events.id": new Set(events.map((row) => row.id)),
    "events.dedupe_key": new Set(events.flatMap((row) => row.dedupe_key ?? [])),
    "relay_messages.id": new Set(relay.map((row) => row.id)),
  };
  return answers.filter(
    (answer) =>
      isSuccess(answer) &&
      (answer.stored === undefined ||
        !found[`${answer.stored.table}.${answer.stored.column}`]?.has(answer.stored.value)),
  );
}

/** Answers counted by status, as the drills report them. */
export function tally(
  answers: readonly Answer[],
): Record<"sent" | "answered 2xx" | "answered 503" | "other", number> {
  const counts = { sent: answers.length, "answered 2xx": 0, "answered 503": 0, other: 0 };
  for (const answer of answers) {
    if (isSuccess(answer)) counts["answered 2xx"]++;
    else if (answer.status === 503) counts["answered 503"]++;
    else counts.other++;
  }
  return counts;
}

/**
 * What the outage tests need before the load: an endpoint for every type on `receiver`
 * (which then verifies with its secret) and a hook for `/webhook/:id` triggers.
 */
export async function subscribeReceiverAndHook(
  app: { request(path: string, init?: RequestInit): Promise<Response> },
  receiver: { url: string; secret?: string | undefined },
  userid: string,
): Promise<{ hookId: string }> {
  const post = async (path: string, body: unknown) =>
    (
      await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).json();
  const endpoint = await post("/endpoints", { url: receiver.url, event_types: ["*"] });
  receiver.secret = endpoint.secret;
  const hook = await post("/webhook", { userid });
  return { hookId: hook.id };
}
