import { describe, expect, test } from "bun:test";
import { timeLimit } from "../../../src/lib/time-limit.ts";

describe("timeLimit", () => {
  test("a call that settles in time gives its own answer, and the fallback never runs", async () => {
    let fallbacks = 0;
    const answer = await timeLimit(Promise.resolve("answered"), 20, () => {
      fallbacks++;
      return "fallback";
    });
    await Bun.sleep(40); // past the limit: a timer left behind would run the fallback now
    expect({ answer, fallbacks }).toEqual({ answer: "answered", fallbacks: 0 });
  });

  test("a call that hangs gives the fallback's answer once the limit passes", async () => {
    const started = performance.now();
    const answer = await timeLimit(new Promise<string>(() => {}), 30, () => "fallback");
    expect(answer).toBe("fallback");
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  test("a fallback that throws rejects with what it threw", async () => {
    const gone = new Error("gone");
    await expect(
      timeLimit(new Promise<string>(() => {}), 10, () => {
        throw gone;
      }),
    ).rejects.toBe(gone);
  });
});
