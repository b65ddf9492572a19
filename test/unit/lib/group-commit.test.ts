import { describe, expect, test } from "bun:test";
import { type GroupCommitOptions, groupCommit } from "../../../src/lib/group-commit.ts";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Writes 1, then 2, 3 and 4 while the first batch is still out (every write is held until
 * the end): the batches out by then, and all of them once released.
 */
async function writeDuringFirstBatch(options: GroupCommitOptions) {
  const batches: number[][] = [];
  const gate = Promise.withResolvers<void>();
  const write = groupCommit(async (items: readonly number[]) => {
    batches.push([...items]);
    await gate.promise;
    return items;
  }, options);
  const first = write(1);
  await nextTurn();
  const later = [2, 3, 4].map(write);
  await nextTurn();
  const whileHeld = batches.map((batch) => [...batch]);
  gate.resolve();
  const results = await Promise.all([first, ...later]);
  return { whileHeld, batches, results };
}

describe("groupCommit", () => {
  test("items written in the same turn of the event loop go out as one batch, in order", async () => {
    const batches: number[][] = [];
    const write = groupCommit(async (items: readonly number[]) => {
      batches.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map(write));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  test("items that arrive while a batch is being written go out together in the next one", async () => {
    const batches: number[][] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = groupCommit(async (items: readonly number[]) => {
      batches.push([...items]);
      if (batches.length === 1) await gate;
      return items;
    });
    const first = write(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [write(2), write(3), write(4)];
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  test("a batch is never larger than the limit", async () => {
    const sizes: number[] = [];
    const write = groupCommit(
      async (items: readonly number[]) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map(write));
    expect(sizes).toEqual([2, 2, 1]);
  });

  test("with several writers, items that arrive during a write still wait for the next batch", async () => {
    const { whileHeld, batches, results } = await writeDuringFirstBatch({
      writers: 4,
      maxBatch: 8,
    });
    // Three items are not a full batch: no second writer took them.
    expect(whileHeld).toEqual([[1]]);
    expect(results).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  test("with several writers, a full batch waiting is written at once by another writer", async () => {
    const { whileHeld, batches, results } = await writeDuringFirstBatch({
      writers: 2,
      maxBatch: 2,
    });
    // [2, 3] filled a batch while [1] was out: the second writer took it; 4 waits.
    expect(whileHeld).toEqual([[1], [2, 3]]);
    expect(results).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  test("items queued in one turn start a writer for each full batch beyond the first", async () => {
    const concurrency = async (count: number) => {
      let inFlight = 0;
      let most = 0;
      const write = groupCommit(
        async (items: readonly number[]) => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          return items;
        },
        { writers: 3, maxBatch: 4 },
      );
      const items = Array.from({ length: count }, (_, i) => i);
      expect(await Promise.all(items.map(write))).toEqual(items);
      return most;
    };
    // The first writer starts with the first item and will take four; a second starts
    // when four more wait beyond those (the 8th item), a third at the 12th.
    expect(await concurrency(7)).toBe(1);
    expect(await concurrency(10)).toBe(2);
    expect(await concurrency(12)).toBe(3);
    expect(await concurrency(40)).toBe(3);
  });

  test("a failed write rejects every caller of that batch, and the next batch still runs", async () => {
    let calls = 0;
    const write = groupCommit(async (items: readonly string[]) => {
      calls++;
      if (calls === 1) throw new Error("database is down");
      return items.map((item) => item.toUpperCase());
    });
    const failed = await Promise.allSettled([write("a"), write("b")]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await write("c")).toBe("C");
  });

  test("a write that answers for fewer items than it was given rejects the batch", async () => {
    const write = groupCommit(async (items: readonly number[]) => items.slice(1));
    const settled = await Promise.allSettled([write(1), write(2)]);
    expect(settled.every((r) => r.status === "rejected")).toBe(true);
  });
});
