import { describe, expect, test } from "bun:test";
import { bounded, DatabaseTimeout } from "../../../src/store/bounded.ts";
import { isDatabaseUnavailable } from "../../../src/store/errors.ts";

describe("bounded", () => {
  test("a call that answers in time gives its answer", async () => {
    expect(await bounded(Promise.resolve(42), 1_000, "a query")).toBe(42);
  });

  test("a call that fails in time fails with its own error", async () => {
    const refused = Object.assign(new Error("refused"), { code: "23505" });
    await expect(bounded(Promise.reject(refused), 1_000, "a query")).rejects.toBe(refused);
  });

  test("a call that never answers fails after the limit, as an unavailable database", async () => {
    const started = performance.now();
    const error = await bounded(new Promise(() => {}), 30, "a claim").catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(error).toBeInstanceOf(DatabaseTimeout);
    expect((error as Error).message).toBe("a claim: no answer from the database within 30 ms");
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});
