import { describe, expect, test } from "bun:test";
import { fullJitterBackoff, withJitter } from "../../../src/lib/backoff.ts";
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from "../../../src/lib/retry-after.ts";

const now = new Date("2026-11-22T10:00:00Z");

describe("parseRetryAfter", () => {
  test.each([
    ["delay-seconds", "120", 120_000],
    ["zero seconds", "0", 0],
    ["padded seconds", " 5 ", 5_000],
    ["an HTTP date in the future", "Sun, 22 Nov 2026 10:00:30 GMT", 30_000],
    ["an HTTP date in the past waits nothing", "Sun, 22 Nov 2026 09:00:00 GMT", 0],
    ["seconds above the cap are capped", "86400", RETRY_AFTER_CAP_MS],
  ])("reads %s", (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  test.each([[null], [undefined], [""], ["soon"], ["-5"], ["1.5"], ["2026-11-22"]])(
    "ignores %p",
    (header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    },
  );
});

describe("fullJitterBackoff", () => {
  const policy = { baseMs: 100, capMs: 10_000 };

  test("grows exponentially up to the cap", () => {
    const top = () => 0.999_999;
    expect(fullJitterBackoff(0, policy, top)).toBe(99);
    expect(fullJitterBackoff(3, policy, top)).toBe(799);
    expect(fullJitterBackoff(20, policy, top)).toBe(9_999);
  });

  test("can wait nothing at all (full jitter)", () => {
    expect(fullJitterBackoff(5, policy, () => 0)).toBe(0);
  });
});

describe("withJitter", () => {
  test("stays within the spread", () => {
    expect(withJitter(1000, 0.1, () => 0)).toBe(900);
    expect(withJitter(1000, 0.1, () => 1)).toBe(1100);
    expect(withJitter(1000, 0.1, () => 0.5)).toBe(1000);
  });
});
