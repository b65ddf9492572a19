/**
 * The mixed load the drills drive: signed GitHub pushes, entity events, /notifications
 * events for the Svix relay (raw and in Pub/Sub envelopes), /trigger calls and named hook
 * triggers, sent open-loop at a steady rate (a slow or dead server does not slow the
 * sender down, as real senders do not wait for each other).
 *
 * Every message is tracked by a key hookyard stores with it, so a drill can check
 * afterwards that each one answered 2xx is in the database. Messages whose senders
 * retry in real life (GitHub redelivery, Pub/Sub, an app with an Idempotency-Key) are
 * resent with the same key after a network error or a 5xx; triggers are not.
 */
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { commit, defaultBranchPush, githubDelivery } from "../../test/fixtures/github/push.ts";

export const GITHUB_SECRET = "drill-github-secret";
export const PROJECTS = ["p0", "p1", "p2", "p3"];
/** The endpoints a drill registers: every event reaches one or two of them. */
export const ENDPOINT_FILTERS: readonly (readonly string[])[] = [
  ["*"],
  ["github.*"],
  ["task.*", "drill.*"],
];

export type Kind = "github" | "entity" | "notification" | "trigger" | "hook";

export interface Tracked {
  readonly kind: Kind;
  /** GitHub delivery id, Idempotency-Key, `project/event id`, or a sequence number. */
  readonly key: string;
  /** Whether the sender would resend it after an error (it carries a dedupe key). */
  readonly retryable: boolean;
  requests: number;
  /** The first 2xx status, once there was one. */
  acked: number | undefined;
  /** The event id from the answer, when the route returns one. */
  eventId: string | undefined;
  /** The last failure: a status or a network error. */
  lastError: string | undefined;
}

interface Outgoing {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** mulberry32: seedable, so a drill's mix can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const json = { "content-type": "application/json" };

function githubPush(n: number, tag: string, random: () => number): Outgoing & { key: string } {
  const sha = Bun.hash(`${tag}-${n}`).toString(16).padStart(40, "0").slice(0, 40);
  // One in ten to another branch: stored and delivered, but no `changes` row.
  const branch = random() < 0.1 ? "refs/heads/feature/drill" : "refs/heads/main";
  const payload = defaultBranchPush({ ref: branch }, [
    commit(`Drill commit ${n}`, { id: sha, url: `https://github.com/octo/app/commit/${sha}` }),
  ]);
  const delivery = githubDelivery({ event: "push", payload, deliveryId: crypto.randomUUID() });
  const headers = {
    ...delivery.headers,
    "x-hub-signature-256": signGitHubPayload(GITHUB_SECRET, delivery.body),
  };
  return {
    key: delivery.headers["x-github-delivery"] as string,
    path: "/webhooks/github",
    headers,
    body: delivery.body,
  };
}

function relayEvent(n: number, tag: string, random: () => number) {
  const project = PROJECTS[Math.floor(random() * PROJECTS.length)] as string;
  const event = {
    object: "event",
    id: `evt_${tag}_${n}`,
    type: "user.created",
    project,
    time: new Date().toISOString(),
    data: { user: { id: `usr_${n}` } },
  };
  const body =
    random() < 0.5
      ? event
      : {
          message: {
            data: Buffer.from(JSON.stringify(event)).toString("base64"),
            messageId: `ps-${tag}-${n}`,
            publishTime: new Date().toISOString(),
          },
          subscription: "projects/drill/subscriptions/relay",
        };
  return { key: `${project}/${event.id}`, body: JSON.stringify(body) };
}

export interface MixedLoadOptions {
  /** Requests per second, new messages only (resends come on top). */
  readonly rate: number;
  readonly seed: number;
  /** Where to send; the same across restarts. */
  readonly baseUrl: string;
  /** A named hook's id, for /webhook/:id. */
  readonly hookId: string;
  /** A retryable message is resent at most this often. */
  readonly maxSends?: number;
  /** Called with each answered request's latency (ms) and status. */
  readonly onAnswer?: (ms: number, status: number) => void;
}

/** Open-loop mixed load; `stop()` waits for what is in flight and the resends. */
export class MixedLoad {
  readonly messages: Tracked[] = [];
  /** Requests made, resends included. */
  requests = 0;
  private readonly random: () => number;
  private readonly tag: string;
  private timer: Timer | undefined;
  private started = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly options: MixedLoadOptions) {
    this.random = seededRandom(options.seed);
    this.tag = `s${options.seed}`;
  }

  start(): void {
    this.started = performance.now();
    // Ticks every 10 ms and sends what the rate owes by now: steady even when the
    // event loop was busy, without one timer per request.
    this.timer = setInterval(() => {
      const owed = Math.floor(((performance.now() - this.started) / 1000) * this.options.rate);
      while (this.messages.length < owed && !this.stopping) this.send(this.next());
    }, 10);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The next message of the mix, tracked. */
  private next(): { tracked: Tracked; outgoing: Outgoing } {
    const n = this.messages.length;
    const pick = this.random();
    let tracked: Tracked;
    let outgoing: Outgoing;
    const track = (kind: Kind, key: string, retryable: boolean): Tracked => ({
      kind,
      key,
      retryable,
      requests: 0,
      acked: undefined,
      eventId: undefined,
      lastError: undefined,
    });
    if (pick < 0.3) {
      const push = githubPush(n, this.tag, this.random);
      tracked = track("github", push.key, true);
      outgoing = push;
    } else if (pick < 0.55) {
      const key = `entity-${this.tag}-${n}`;
      const create = this.random() < 0.3;
      tracked = track("entity", key, true);
      outgoing = {
        path: "/webhooks/event",
        headers: { ...json, "idempotency-key": key },
        body: JSON.stringify({
          action: create ? "create" : "update",
          entity_type: "task",
          time: new Date().toISOString(),
          id: `task-${n % 50}`,
          ...(create ? {} : { modified_fields: ["title"] }),
          payload: { title: `task ${n}`, n },
        }),
      };
    } else if (pick < 0.8) {
      const relay = relayEvent(n, this.tag, this.random);
      tracked = track("notification", relay.key, true);
      outgoing = { path: "/notifications", headers: json, body: relay.body };
    } else if (pick < 0.95) {
      tracked = track("trigger", String(n), false);
      outgoing = { path: "/trigger/drill.tick", headers: json, body: JSON.stringify({ n }) };
    } else {
      tracked = track("hook", String(n), false);
      outgoing = {
        path: `/webhook/${this.options.hookId}`,
        headers: json,
        body: JSON.stringify({ n }),
      };
    }
    this.messages.push(tracked);
    return { tracked, outgoing };
  }

  private send(message: { tracked: Tracked; outgoing: Outgoing }): void {
    const task = this.attempt(message).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async attempt({ tracked, outgoing }: { tracked: Tracked; outgoing: Outgoing }) {
    const maxSends = this.options.maxSends ?? 40;
    for (;;) {
      tracked.requests++;
      this.requests++;
      const sentAt = performance.now();
      try {
        const response = await fetch(`${this.options.baseUrl}${outgoing.path}`, {
          method: "POST",
          headers: outgoing.headers,
          body: outgoing.body,
        });
        const text = await response.text();
        this.options.onAnswer?.(performance.now() - sentAt, response.status);
        if (response.ok) {
          tracked.acked = response.status;
          const answer = JSON.parse(text) as { event_id?: string; id?: string };
          tracked.eventId =
            tracked.kind === "entity" ? answer.id : (answer.event_id ?? tracked.eventId);
          return;
        }
        tracked.lastError = `HTTP ${response.status}: ${text.slice(0, 200)}`;
        if (response.status < 500) return;
      } catch (error) {
        tracked.lastError = (error as Error).message;
      }
      if (!tracked.retryable || tracked.requests >= maxSends) return;
      // As GitHub's and Pub/Sub's redeliveries do, after a pause; the server may be down.
      await Bun.sleep(250);
    }
  }

  /** Counts by kind and outcome, for the report. */
  summary() {
    const byKind = new Map<Kind, { sent: number; acked: number }>();
    for (const m of this.messages) {
      const row = byKind.get(m.kind) ?? { sent: 0, acked: 0 };
      row.sent++;
      if (m.acked !== undefined) row.acked++;
      byKind.set(m.kind, row);
    }
    return byKind;
  }
}
