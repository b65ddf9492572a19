import { describe, expect, test } from "bun:test";
import { decideRelay, ProjectPauses } from "../../../src/relay/policy.ts";
import { idempotencyKeyFor } from "../../../src/relay/svix-sender.ts";

const now = new Date("2026-11-22T12:00:00Z");
const queuedAt = new Date("2026-11-22T11:00:00Z");
const HOUR = 3_600_000;
const decide = (
  outcome: Parameters<typeof decideRelay>[0]["outcome"],
  overrides: Partial<Parameters<typeof decideRelay>[0]> = {},
) =>
  decideRelay({
    outcome,
    attemptsMade: 1,
    queuedAt,
    now,
    maxAgeMs: 24 * HOUR,
    random: () => 0.5,
    ...overrides,
  });

describe("decideRelay", () => {
  test("sent is sent, with Svix's message id", () => {
    expect(decide({ kind: "sent", svixMessageId: "msg_1" })).toEqual({
      next: { status: "sent", svixMessageId: "msg_1" },
    });
  });

  test("a 409 on the event id means Svix already has it: sent", () => {
    expect(decide({ kind: "duplicate" }).next).toEqual({ status: "sent", svixMessageId: null });
  });

  test("a fatal 4xx fails at once with the reason", () => {
    expect(
      decide({ kind: "fatal", reason: "Svix refused the message (422)", status: 422 }).next,
    ).toEqual({
      status: "failed",
      error: "Svix refused the message (422)",
    });
  });

  test("a 429 with Retry-After waits exactly that long and pauses the project until then", () => {
    const decision = decide({ kind: "rate-limited", retryAfterMs: 7_000 });
    expect(decision.next).toEqual({
      status: "queued",
      nextAttemptAt: new Date(now.getTime() + 7_000),
      error: "rate limited by Svix (429); Retry-After 7 s",
    });
    expect(decision.pauseProjectUntil).toEqual(new Date(now.getTime() + 7_000));
  });

  test("a 429 without Retry-After backs off with jitter, capped at a minute", () => {
    const first = decide(
      { kind: "rate-limited", retryAfterMs: undefined },
      { random: () => 0.999 },
    );
    const late = decide(
      { kind: "rate-limited", retryAfterMs: undefined },
      { attemptsMade: 30, random: () => 0.999 },
    );
    const waitOf = (d: ReturnType<typeof decide>) =>
      d.next.status === "queued" ? d.next.nextAttemptAt.getTime() - now.getTime() : -1;
    expect(waitOf(first)).toBe(999);
    expect(waitOf(late)).toBe(59_940);
  });

  test("5xx, timeouts and network errors back off exponentially, at least 100 ms, at most 10 minutes", () => {
    const waits = [1, 2, 3, 4, 20].map((attemptsMade) => {
      const d = decide(
        { kind: "retryable", reason: "Svix answered 503" },
        { attemptsMade, random: () => 0.999 },
      );
      return d.next.status === "queued" ? d.next.nextAttemptAt.getTime() - now.getTime() : -1;
    });
    expect(waits).toEqual([999, 1_998, 3_996, 7_992, 599_400]);
    const zero = decide({ kind: "retryable", reason: "x" }, { random: () => 0 });
    expect(zero.next.status === "queued" && zero.next.nextAttemptAt.getTime() - now.getTime()).toBe(
      100,
    );
  });

  test("past RELAY_MAX_AGE since it was queued, it fails with the last error", () => {
    const decision = decide(
      { kind: "retryable", reason: "Svix answered 502" },
      { queuedAt: new Date(now.getTime() - 24 * HOUR) },
    );
    expect(decision.next).toEqual({
      status: "failed",
      error: "gave up after RELAY_MAX_AGE; last error: Svix answered 502",
    });
  });
});

describe("decideRelay near RELAY_MAX_AGE", () => {
  const deadline = new Date(queuedAt.getTime() + 24 * HOUR);
  const retryable = { kind: "retryable", reason: "Svix answered 503" } as const;
  // With random 0.999 and 20 attempts the backoff is its 10-minute cap: 599,400 ms.
  test.each<[string, Parameters<typeof decide>[0], number, "backoff" | "deadline" | "failed"]>([
    ["a backoff ending before the deadline waits in full", retryable, 600_000, "backoff"],
    ["a backoff overrunning the deadline is cut to the deadline", retryable, 500, "deadline"],
    [
      "a Retry-After overrunning the deadline is cut to the deadline",
      { kind: "rate-limited", retryAfterMs: HOUR },
      1_800_000,
      "deadline",
    ],
    ["any failure at the deadline gives up", retryable, 0, "failed"],
    [
      "any failure past the deadline gives up",
      { kind: "rate-limited", retryAfterMs: 1 },
      -1,
      "failed",
    ],
  ])("%s", (_name, outcome, msBeforeDeadline, expected) => {
    const at = new Date(deadline.getTime() - msBeforeDeadline);
    const { next } = decide(outcome, { now: at, attemptsMade: 20, random: () => 0.999 });
    if (expected === "failed") {
      expect(next.status).toBe("failed");
      return;
    }
    expect(next.status).toBe("queued");
    const nextAt = next.status === "queued" ? next.nextAttemptAt.getTime() : Number.NaN;
    expect(nextAt).toBe(expected === "deadline" ? deadline.getTime() : at.getTime() + 599_400);
  });

  test("a 429 near the deadline still pauses the project for the whole wait", () => {
    const at = new Date(deadline.getTime() - 60_000);
    const decision = decide({ kind: "rate-limited", retryAfterMs: HOUR }, { now: at });
    expect(decision.next.status === "queued" && decision.next.nextAttemptAt.getTime()).toBe(
      deadline.getTime(),
    );
    expect(decision.pauseProjectUntil?.getTime()).toBe(at.getTime() + HOUR);
  });
});

describe("ProjectPauses", () => {
  test("holds a project until the later of its pauses, then forgets it", () => {
    const pauses = new ProjectPauses();
    pauses.pause("dev", new Date(now.getTime() + 5_000));
    pauses.pause("dev", new Date(now.getTime() + 2_000));
    expect(pauses.pausedUntil("dev", now)).toEqual(new Date(now.getTime() + 5_000));
    expect(pauses.pausedUntil("prod", now)).toBeUndefined();
    expect(pauses.pausedUntil("dev", new Date(now.getTime() + 5_000))).toBeUndefined();
  });
});

describe("idempotencyKeyFor", () => {
  test("is stable per project and event, differs otherwise, and never starts with auto_", () => {
    expect(idempotencyKeyFor("dev", "evt_1")).toBe(idempotencyKeyFor("dev", "evt_1"));
    expect(idempotencyKeyFor("dev", "evt_1")).not.toBe(idempotencyKeyFor("prod", "evt_1"));
    expect(idempotencyKeyFor("de", "vevt_1")).not.toBe(idempotencyKeyFor("dev", "evt_1"));
    expect(idempotencyKeyFor("dev", "evt_1")).toMatch(/^hookyard-[0-9a-f]{64}$/);
  });
});
