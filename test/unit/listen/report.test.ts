import { describe, expect, test } from "bun:test";
import { eventLine, localTime, seconds } from "../../../src/listen/report.ts";

const at = new Date(2026, 11, 5, 9, 7, 3); // local time
const event = { id: "0193b0c4-8f3a-7000-8000-000000000001", type: "stripe-live.invoice.paid" };

describe("eventLine", () => {
  test("time, type, id and the local app's status with the time it took", () => {
    expect(eventLine(at, event, { status: 200, durationMs: 12 })).toBe(
      "2026-12-05 09:07:03  stripe-live.invoice.paid  0193b0c4-8f3a-7000-8000-000000000001  → 200 in 12 ms",
    );
  });

  test("an error instead of a status when the local app did not answer", () => {
    expect(eventLine(at, event, { error: "connection refused", durationMs: 1 })).toEndWith(
      "0193b0c4-8f3a-7000-8000-000000000001  → error: connection refused",
    );
  });

  test("a type with control characters stays on its line", () => {
    const line = eventLine(
      at,
      { ...event, type: "a\nb\u001b[2Jc" },
      { status: 204, durationMs: 3 },
    );
    expect(line).not.toContain("\n");
    expect(line).not.toContain("\u001b");
    expect(line).toContain("a?b?[2Jc");
  });
});

describe("localTime and seconds", () => {
  test("read as people write them", () => {
    expect(localTime(at)).toBe("2026-12-05 09:07:03");
    expect([500, 1_000, 2_000, 10_000, 1_250].map(seconds)).toEqual([
      "0.5 s",
      "1 s",
      "2 s",
      "10 s",
      "1.3 s",
    ]);
  });
});
