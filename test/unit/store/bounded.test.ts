import { describe, expect, test } from "bun:test";
import { bounded, boundedStore, DatabaseTimeout } from "../../../src/store/bounded.ts";
import { isDatabaseUnavailable } from "../../../src/store/errors.ts";
import type { Dialect, Store } from "../../../src/store/store.ts";

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

describe("boundedStore", () => {
  const never = () => new Promise<never>(() => {});
  const later = <T>(value: T, ms: number) =>
    new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
  const PARTS = [
    "events",
    "changes",
    "endpoints",
    "endpointHealth",
    "deliveries",
    "relay",
    "hooks",
    "retention",
    "recovery",
    "charts",
    "sources",
  ];
  /** A store whose methods answer as each test says; only what a test calls exists. */
  const fakeStore = (methods: Record<string, unknown>, dialect: Dialect = "postgres") =>
    ({
      dialect,
      ...Object.fromEntries(PARTS.map((part) => [part, {}])),
      ...methods,
    }) as unknown as Store;

  test("a call that never answers fails after the limit, naming the call", async () => {
    const store = boundedStore(fakeStore({ events: { list: never } }), 30);
    const error = await store.events.list({}, { limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseTimeout);
    expect((error as Error).message).toBe("events.list: no answer from the database within 30 ms");
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  test("calls that answer give their answer, with the arguments they were given and their own `this`", async () => {
    const hooks = {
      prefix: "hook-",
      async get(this: { prefix: string }, id: string) {
        return { id: `${this.prefix}${id}` };
      },
    };
    const store = boundedStore(fakeStore({ hooks, ping: () => Promise.resolve() }), 1_000);
    expect(await store.hooks.get("7")).toEqual({ id: "hook-7" } as never);
    expect(await store.ping()).toBeUndefined();
  });

  test("ping and wake are bounded too", async () => {
    const store = boundedStore(fakeStore({ ping: never, wake: never }), 30);
    expect(isDatabaseUnavailable(await store.ping().catch((e: unknown) => e))).toBe(true);
    expect(isDatabaseUnavailable(await store.wake("relay").catch((e: unknown) => e))).toBe(true);
  });

  test("migrating and closing take as long as they take", async () => {
    const store = boundedStore(
      fakeStore({
        migrate: () => later({ applied: ["0000"] }, 60),
        close: () => later(undefined, 60),
      }),
      20,
    );
    expect(await store.migrate()).toEqual({ applied: ["0000"] });
    expect(await store.close()).toBeUndefined();
  });

  test("SQLite's store is left as it is: its calls return before any timer could fire", () => {
    const sqlite = fakeStore({}, "sqlite");
    expect(boundedStore(sqlite, 30)).toBe(sqlite);
  });
});
