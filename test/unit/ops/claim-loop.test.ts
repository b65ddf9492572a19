import { describe, expect, test } from "bun:test";
import { ClaimLoop } from "../../../src/ops/claim-loop.ts";
import { silentLogger } from "../../../src/ops/log.ts";

/** An in-memory queue standing in for the database. */
function queue() {
  const items: number[] = [];
  let claimFailures = 0;
  let wake: (() => void) | undefined;
  return {
    items,
    push(...values: number[]) {
      items.push(...values);
      wake?.();
    },
    failNextClaims(n: number) {
      claimFailures = n;
    },
    claim: async (limit: number) => {
      if (claimFailures > 0) {
        claimFailures--;
        throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
      }
      return items.splice(0, limit);
    },
    subscribe: async (listener: () => void) => {
      wake = listener;
      return async () => {
        wake = undefined;
      };
    },
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("ClaimLoop", () => {
  test("processes work as it is pushed, woken rather than polled", async () => {
    const source = queue();
    const done: number[] = [];
    const allDone = deferred();
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 4,
      pollIntervalMs: 60_000, // only a wake-up can get the work done in time
      claim: source.claim,
      process: async (n) => {
        done.push(n);
        if (done.length === 3) allDone.resolve();
      },
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    source.push(1, 2, 3);
    await allDone.promise;
    await loop.stop();
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  test("never has more than `concurrency` items in flight", async () => {
    const source = queue();
    source.items.push(...Array.from({ length: 10 }, (_, i) => i));
    let inFlight = 0;
    let peak = 0;
    let finished = 0;
    const allDone = deferred();
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 3,
      pollIntervalMs: 60_000,
      claim: source.claim,
      process: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        if (++finished === 10) allDone.resolve();
      },
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    await allDone.promise;
    await loop.stop();
    expect(peak).toBe(3);
  });

  test("stop waits for the items in flight to finish", async () => {
    const source = queue();
    source.items.push(1);
    const started = deferred();
    const release = deferred();
    let finished = false;
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 1,
      pollIntervalMs: 60_000,
      claim: source.claim,
      process: async () => {
        started.resolve();
        await release.promise;
        finished = true;
      },
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    await started.promise;
    const stopping = loop.stop();
    release.resolve();
    await stopping;
    expect(finished).toBe(true);
  });

  test("a failing claim (database down) is retried and the loop resumes", async () => {
    const source = queue();
    source.failNextClaims(3);
    source.items.push(7);
    const done = deferred();
    let claimed = 0;
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 1,
      pollIntervalMs: 60_000,
      claim: async (limit) => {
        claimed++;
        return source.claim(limit);
      },
      process: async () => done.resolve(),
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    await done.promise;
    await loop.stop();
    expect(claimed).toBeGreaterThanOrEqual(4);
  });

  test("a claim that never answers counts as failed after the call limit, and the loop claims again", async () => {
    const source = queue();
    source.items.push(7);
    const done = deferred();
    let claimed = 0;
    const warnings: string[] = [];
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 1,
      pollIntervalMs: 60_000,
      callLimitMs: 50,
      // The first claim hangs, as a query on a connection reset mid-query can.
      claim: (limit) => (++claimed === 1 ? new Promise<number[]>(() => {}) : source.claim(limit)),
      process: async () => done.resolve(),
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: { ...silentLogger, warn: (msg, fields) => warnings.push(`${msg} ${fields?.error}`) },
    });
    await loop.start();
    await done.promise;
    await loop.stop();
    expect(claimed).toBe(2);
    expect(warnings).toEqual([
      "test: claiming failed; retrying DatabaseTimeout: test: claim: no answer from the database within 50 ms",
    ]);
  });

  test("sleeps until the next item falls due", async () => {
    const source = queue();
    const dueIn = 30;
    const start = Date.now();
    const done = deferred();
    let dueAt = 0;
    const loop = new ClaimLoop({
      name: "test",
      concurrency: 1,
      pollIntervalMs: 60_000,
      claim: async () => (Date.now() >= start + dueIn ? source.items.splice(0, 1) : []),
      process: async () => {
        dueAt = Date.now();
        done.resolve();
      },
      nextDueAt: async () => new Date(start + dueIn),
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    source.items.push(1);
    await loop.start();
    await done.promise;
    await loop.stop();
    expect(dueAt - start).toBeGreaterThanOrEqual(dueIn);
    expect(dueAt - start).toBeLessThan(1000);
  });

  test("with prefetch, items are claimed ahead and started as slots free, never over concurrency", async () => {
    const source = queue();
    source.items.push(...Array.from({ length: 12 }, (_, i) => i));
    const claims: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    /** Resolved when an item starts (a gate to release) or finishes. */
    let progress = deferred();
    const done: number[] = [];
    const allDone = deferred();
    const loop = new ClaimLoop<number>({
      name: "test",
      concurrency: 2,
      prefetch: 2,
      pollIntervalMs: 60_000,
      claim: async (limit) => {
        claims.push(limit);
        return source.claim(limit);
      },
      process: async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => {
          gates.push(resolve);
          progress.resolve();
        });
        inFlight--;
        done.push(n);
        progress.resolve();
        if (done.length === 12) allDone.resolve();
      },
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    // The first claim asks for the slots and the prefetch: 2 start, 2 wait.
    expect(claims[0]).toBe(4);
    expect(source.items).toHaveLength(8);
    while (done.length < 12) {
      if (gates.length === 0) {
        progress = deferred();
        await progress.promise;
      }
      gates.shift()?.();
    }
    await allDone.promise;
    await loop.stop();
    expect(peak).toBe(2);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  test("on stop, items claimed ahead are processed, not left leased", async () => {
    const source = queue();
    source.items.push(1, 2, 3, 4);
    const done: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loop = new ClaimLoop<number>({
      name: "test",
      concurrency: 1,
      prefetch: 3,
      pollIntervalMs: 60_000,
      claim: source.claim,
      process: async (n) => {
        await gate;
        done.push(n);
      },
      nextDueAt: async () => null,
      subscribe: source.subscribe,
      now: () => new Date(),
      log: silentLogger,
    });
    await loop.start();
    expect(source.items).toEqual([]);
    const stopped = loop.stop();
    release();
    await stopped;
    expect(done).toEqual([1, 2, 3, 4]);
  });

  test("a freed slot claims again only when the last claim may have left work; a wake-up always does", async () => {
    const gated = gatedLoop([1, 2]);
    const { claims, nextDueAsked, started, finished, release } = gated;
    await gated.loop.start();
    await started(2);
    // The first claim asked for 16 and got 2: nothing more is due until a wake-up.
    expect(claims).toEqual([16]);
    release(1);
    await finished(1);
    // Let the loop run whatever the freed slot set off.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(claims).toEqual([16]);
    // With item 2 still in flight, the store was not asked when the next item falls due.
    expect(nextDueAsked).toEqual([]);
    gated.source.push(3);
    await started(3);
    expect(claims).toEqual([16, 15]);
    release(2, 3);
    await gated.loop.stop();
  });

  test("once caught up, wake-ups while items are in flight are gathered into one claim; idle, a wake-up claims at once", async () => {
    const GATHER_MS = 1_000;
    const gated = gatedLoop([1], { gatherMs: GATHER_MS });
    const { claims, started, finished, release } = gated;
    await gated.loop.start();
    await started(1);
    expect(claims).toEqual([16]);
    // Three wake-ups, each in a turn of its own, while item 1 is in flight: one claim.
    for (const n of [2, 3, 4]) {
      gated.source.push(n);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await started(4);
    expect(claims).toEqual([16, 15]);
    release(1, 2, 3, 4);
    await Promise.all([1, 2, 3, 4].map(finished));
    // Nothing in flight: a wake-up claims at once, without the gathering wait.
    const pushedAt = performance.now();
    gated.source.push(5);
    await started(5);
    expect(performance.now() - pushedAt).toBeLessThan(GATHER_MS);
    expect(claims).toEqual([16, 15, 16]);
    release(5);
    await gated.loop.stop();
  });
});

/**
 * A loop of concurrency 16 over `items` whose each item stays in flight until released;
 * it notes each claim's limit and when the store was asked for the next due time.
 */
function gatedLoop(items: number[], options: { gatherMs?: number } = {}) {
  const source = queue();
  source.items.push(...items);
  const claims: number[] = [];
  const nextDueAsked: number[] = [];
  const gates = new Map<number, () => void>();
  const startedOf = new Map<number, ReturnType<typeof deferred>>();
  const finishedOf = new Map<number, ReturnType<typeof deferred>>();
  const on = (map: Map<number, ReturnType<typeof deferred>>, n: number) => {
    const existing = map.get(n) ?? deferred();
    map.set(n, existing);
    return existing;
  };
  const loop = new ClaimLoop<number>({
    name: "test",
    concurrency: 16,
    pollIntervalMs: 60_000,
    ...options,
    claim: async (limit) => {
      claims.push(limit);
      return source.claim(limit);
    },
    process: async (n) => {
      on(startedOf, n).resolve();
      await new Promise<void>((resolve) => gates.set(n, resolve));
      on(finishedOf, n).resolve();
    },
    nextDueAt: async () => {
      nextDueAsked.push(claims.length);
      return null;
    },
    subscribe: source.subscribe,
    now: () => new Date(),
    log: silentLogger,
  });
  return {
    loop,
    source,
    claims,
    nextDueAsked,
    started: (n: number) => on(startedOf, n).promise,
    finished: (n: number) => on(finishedOf, n).promise,
    release: (...ns: number[]) => {
      for (const n of ns) gates.get(n)?.();
    },
  };
}
