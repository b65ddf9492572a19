import { describe, expect, test } from "bun:test";
import { retryWithinLease } from "../../../src/ops/within-lease.ts";

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

/** A write that fails `failures` times with `error`, then returns true. */
function flaky(failures: number, error: () => Error = refused) {
  let calls = 0;
  return {
    write: async () => {
      calls++;
      if (calls <= failures) throw error();
      return true;
    },
    calls: () => calls,
  };
}

describe("retryWithinLease", () => {
  test("retries while the database is unavailable and returns the write's result", async () => {
    const write = flaky(3);
    const result = await retryWithinLease(write.write, Date.now() + 10_000, () => new Date());
    expect(result).toBe(true);
    expect(write.calls()).toBe(4);
  });

  test("does not retry an error that is not about the database being away", async () => {
    const write = flaky(1, () => new Error("null value in column"));
    await expect(
      retryWithinLease(write.write, Date.now() + 10_000, () => new Date()),
    ).rejects.toThrow("null value in column");
    expect(write.calls()).toBe(1);
  });

  test("gives up with the database's error once the lease would be over", async () => {
    const write = flaky(1_000);
    await expect(retryWithinLease(write.write, Date.now() + 300, () => new Date())).rejects.toThrow(
      "ECONNREFUSED",
    );
    expect(write.calls()).toBeGreaterThan(1);
  });
});
