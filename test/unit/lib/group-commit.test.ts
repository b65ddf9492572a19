import { describe, expect, test } from "bun:test";
import { groupCommit } from "../../../src/lib/group-commit.ts";

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

  test("with several writers, items queued together are shared among them, not taken by one", async () => {
    const batches: number[][] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = groupCommit(
      async (items: readonly number[]) => {
        batches.push([...items]);
        // All four batches must be out at once: none finishes before the last one starts.
        if (batches.length === 4) release();
        await gate;
        return items;
      },
      { writers: 4 },
    );
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(await Promise.all(items.map(write))).toEqual(items);
    expect(batches.map((batch) => batch.length)).toEqual([8, 8, 7, 7]);
    expect(batches.flat()).toEqual(items);
  });

  test("a writer that finishes takes what was queued meanwhile while the others are still busy", async () => {
    const batches: number[][] = [];
    const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
    const write = groupCommit(
      async (items: readonly number[]) => {
        batches.push([...items]);
        await gates[batches.length - 1]?.promise;
        return items;
      },
      { writers: 2 },
    );
    const first = [1, 2].map(write);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]);
    const later = [3, 4, 5].map(write);
    gates[0]?.resolve();
    await first[0];
    await new Promise((resolve) => setImmediate(resolve));
    // The second writer still has its batch out: the first takes all three.
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    gates[1]?.resolve();
    expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4, 5]);
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
