import { describe, expect, test } from "bun:test";
import { groupCommitEachAloneIfRefused } from "../../../src/store/batch-write.ts";

/** Records each batch written; refuses any batch holding `refused`, failing with `error`. */
function writer(refused: string, error: unknown) {
  const batches: string[][] = [];
  const write = async (items: readonly string[]) => {
    batches.push([...items]);
    if (items.includes(refused)) throw error;
    return items.map((item) => item.toUpperCase());
  };
  return { batches, record: groupCommitEachAloneIfRefused(write) };
}

const settle = (calls: Promise<string>[]) =>
  Promise.all(
    calls.map((call) =>
      call.then(
        (value) => value,
        (e: unknown) => e,
      ),
    ),
  );

describe("groupCommitEachAloneIfRefused", () => {
  test("a refused item fails alone: the batch is written again item by item", async () => {
    const refusal = new Error("refused");
    const { batches, record } = writer("bad", refusal);
    const answers = await settle(["a", "bad", "c"].map(record));
    expect(answers).toEqual(["A", refusal, "C"]);
    expect(batches).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });

  test("an unavailable database fails the whole batch at once, with no retries", async () => {
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    const { batches, record } = writer("bad", busy);
    expect(await settle(["a", "bad", "c"].map(record))).toEqual([busy, busy, busy]);
    expect(batches).toEqual([["a", "bad", "c"]]);
  });
});
