import { describe, expect, test } from "bun:test";
import {
  decideAfterAttempt,
  maxAttempts,
  nextRetry,
} from "../../../src/delivery/retry-schedule.ts";

const now = new Date("2026-11-22T10:00:00Z");
// The default DELIVERY_RETRY_SCHEDULE: 5s,5m,30m,2h,5h,10h,10h.
const schedule = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const middle = () => 0.5; // no jitter
const lowest = () => 0; // -10%
const highest = () => 1; // +10%

describe("nextRetry", () => {
  test.each([
    [1, 5_000],
    [2, 300_000],
    [3, 1_800_000],
    [7, 36_000_000],
  ])("after %i attempt(s) waits the schedule's delay (%i ms)", (attemptsMade, delayMs) => {
    expect(nextRetry({ schedule, attemptsMade, now, random: middle })).toEqual({
      kind: "retry",
      delayMs,
      at: new Date(now.getTime() + delayMs),
    });
  });

  test("is exhausted once every retry of the schedule was made", () => {
    expect(nextRetry({ schedule, attemptsMade: 8, now })).toEqual({ kind: "exhausted" });
  });

  test("is exhausted at once with an empty schedule (a single attempt)", () => {
    expect(nextRetry({ schedule: [], attemptsMade: 1, now })).toEqual({ kind: "exhausted" });
  });

  test("treats zero attempts made as a caller error, not as a retry", () => {
    expect(nextRetry({ schedule, attemptsMade: 0, now })).toEqual({ kind: "exhausted" });
  });

  test.each([
    ["lowest", lowest, 270_000],
    ["highest", highest, 330_000],
  ])("spreads delays by ±10%% (%s draw)", (_name, random, delayMs) => {
    const decision = nextRetry({ schedule, attemptsMade: 2, now, random });
    expect(decision).toMatchObject({ kind: "retry", delayMs });
  });

  test("waits a Retry-After that is longer than the scheduled delay", () => {
    const decision = nextRetry({ schedule, attemptsMade: 1, now, retryAfterMs: 60_000 });
    expect(decision).toEqual({
      kind: "retry",
      delayMs: 60_000,
      at: new Date(now.getTime() + 60_000),
    });
  });

  test("keeps the scheduled delay when a Retry-After is shorter", () => {
    const decision = nextRetry({
      schedule,
      attemptsMade: 2,
      now,
      retryAfterMs: 1_000,
      random: middle,
    });
    expect(decision).toMatchObject({ delayMs: 300_000 });
  });

  test("never retries before a Retry-After, even when jitter shortens the schedule below it", () => {
    const decision = nextRetry({
      schedule,
      attemptsMade: 2,
      now,
      retryAfterMs: 290_000,
      random: lowest,
    });
    expect(decision).toMatchObject({ delayMs: 290_000 });
  });

  test("does not extend the schedule for a Retry-After once exhausted", () => {
    expect(nextRetry({ schedule, attemptsMade: 8, now, retryAfterMs: 1_000 })).toEqual({
      kind: "exhausted",
    });
  });
});

describe("maxAttempts", () => {
  test("is the first attempt plus one per scheduled retry", () => {
    expect(maxAttempts(schedule)).toBe(8);
    expect(maxAttempts([])).toBe(1);
  });
});

describe("decideAfterAttempt", () => {
  const base = { schedule, now, random: middle };

  test("a successful attempt is delivered", () => {
    const outcome = decideAfterAttempt({
      ...base,
      attemptsMade: 1,
      attempt: { ok: true, status: 200 },
    });
    expect(outcome).toEqual({ kind: "delivered" });
  });

  test("a successful last attempt is still delivered", () => {
    const outcome = decideAfterAttempt({
      ...base,
      attemptsMade: 8,
      attempt: { ok: true, status: 204 },
    });
    expect(outcome).toEqual({ kind: "delivered" });
  });

  test("410 Gone means the endpoint is gone, even with retries left", () => {
    const outcome = decideAfterAttempt({
      ...base,
      attemptsMade: 1,
      attempt: { ok: false, status: 410 },
    });
    expect(outcome).toEqual({ kind: "endpoint-gone" });
  });

  test.each([
    ["a 500", { ok: false, status: 500 }],
    ["a 404", { ok: false, status: 404 }],
    ["a redirect", { ok: false, status: 302 }],
    ["a 2xx whose body timed out", { ok: false, status: 200 }],
    ["a timeout", { ok: false }],
    ["a network error", { ok: false, status: undefined }],
  ])("%s is retried on the schedule", (_name, attempt) => {
    const outcome = decideAfterAttempt({ ...base, attemptsMade: 2, attempt });
    expect(outcome).toEqual({
      kind: "retry",
      delayMs: 300_000,
      at: new Date(now.getTime() + 300_000),
    });
  });

  test.each([[429], [503]])("a Retry-After on %i replaces a shorter scheduled delay", (status) => {
    const attempt = { ok: false, status, retryAfterMs: 120_000 };
    const outcome = decideAfterAttempt({ ...base, attemptsMade: 1, attempt });
    expect(outcome).toMatchObject({ kind: "retry", delayMs: 120_000 });
  });

  test.each([[500], [502], [undefined]])("a Retry-After with status %p is ignored", (status) => {
    const attempt = { ok: false, status, retryAfterMs: 120_000 };
    const outcome = decideAfterAttempt({ ...base, attemptsMade: 1, attempt });
    expect(outcome).toMatchObject({ kind: "retry", delayMs: 5_000 });
  });

  test("a failed last attempt fails the delivery", () => {
    const outcome = decideAfterAttempt({
      ...base,
      attemptsMade: 8,
      attempt: { ok: false, status: 500 },
    });
    expect(outcome).toEqual({ kind: "failed" });
  });

  test("a 429 on the last attempt fails the delivery despite its Retry-After", () => {
    const attempt = { ok: false, status: 429, retryAfterMs: 1_000 };
    expect(decideAfterAttempt({ ...base, attemptsMade: 8, attempt })).toEqual({ kind: "failed" });
  });
});
