/**
 * What happens to a relay message after one send: pure, so every branch is a table row
 * in a test. Also the per-project pause a 429 starts.
 */
import { fullJitterBackoff } from "../lib/backoff.ts";
import type { RelayOutcome } from "../store/relay.ts";
import type { SendOutcome } from "./svix-sender.ts";

/**
 * 5xx, timeouts, network errors: 1 s doubling to 10 min, full jitter. Svix's outages are
 * usually short; ten minutes between tries bounds the wait after one ends, and the jitter
 * keeps a backlog from returning in one burst.
 */
export const FAILURE_BACKOFF = { baseMs: 1_000, capMs: 10 * 60_000 } as const;
/** 429 without Retry-After: a gentler ceiling, since Svix will take messages again soon. */
export const RATE_LIMIT_BACKOFF = { baseMs: 1_000, capMs: 60_000 } as const;
/** Never retry sooner than this: full jitter can draw zero. */
const MIN_WAIT_MS = 100;

export interface RelayDecisionInput {
  readonly outcome: SendOutcome;
  /** Attempts made, including this one. */
  readonly attemptsMade: number;
  /** When the message was (re)queued: RELAY_MAX_AGE counts from here. */
  readonly queuedAt: Date;
  readonly now: Date;
  readonly maxAgeMs: number;
  readonly random?: () => number;
}

export interface RelayDecision {
  readonly next: RelayOutcome;
  /** Set after a 429: the project should not be sent to before this time. */
  readonly pauseProjectUntil?: Date;
}

export function decideRelay(input: RelayDecisionInput): RelayDecision {
  const { outcome, now } = input;
  switch (outcome.kind) {
    case "sent":
      return { next: { status: "sent", svixMessageId: outcome.svixMessageId } };
    case "duplicate":
      return { next: { status: "sent", svixMessageId: null } };
    case "fatal":
      return { next: { status: "failed", error: outcome.reason } };
    case "rate-limited": {
      const wait =
        outcome.retryAfterMs ??
        Math.max(
          MIN_WAIT_MS,
          fullJitterBackoff(input.attemptsMade - 1, RATE_LIMIT_BACKOFF, input.random),
        );
      const at = new Date(now.getTime() + wait);
      const error = `rate limited by Svix (429)${outcome.retryAfterMs === undefined ? "" : `; Retry-After ${Math.round(wait / 1000)} s`}`;
      return { next: requeueOrGiveUp(input, at, error), pauseProjectUntil: at };
    }
    case "retryable": {
      const wait = Math.max(
        MIN_WAIT_MS,
        fullJitterBackoff(input.attemptsMade - 1, FAILURE_BACKOFF, input.random),
      );
      return { next: requeueOrGiveUp(input, new Date(now.getTime() + wait), outcome.reason) };
    }
  }
}

/**
 * RELAY_MAX_AGE is how long a message is *tried*: a wait that would run past the deadline is
 * cut to one last attempt at the deadline rather than giving up early (a Retry-After of an hour
 * at 23.5 h would otherwise fail a message Svix only asked to wait for).
 */
function requeueOrGiveUp(input: RelayDecisionInput, at: Date, error: string): RelayOutcome {
  const deadline = input.queuedAt.getTime() + input.maxAgeMs;
  if (input.now.getTime() >= deadline) {
    return { status: "failed", error: `gave up after RELAY_MAX_AGE; last error: ${error}` };
  }
  return { status: "queued", nextAttemptAt: new Date(Math.min(at.getTime(), deadline)), error };
}

/** Projects Svix rate-limited, and until when: one instance's memory, enough to stop hammering. */
export class ProjectPauses {
  private readonly until = new Map<string, number>();

  pause(project: string, until: Date): void {
    this.until.set(project, Math.max(until.getTime(), this.until.get(project) ?? 0));
  }

  /** The time the project may be sent to again, if it is paused at `now`. */
  pausedUntil(project: string, now: Date): Date | undefined {
    const until = this.until.get(project);
    if (until === undefined) return undefined;
    if (until <= now.getTime()) {
      this.until.delete(project);
      return undefined;
    }
    return new Date(until);
  }
}
