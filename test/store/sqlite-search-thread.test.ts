/**
 * The SQLite store's text searches run on a thread of their own
 * (src/store/sqlite/search-thread.ts); test/integration/slow-search.test.ts shows them
 * stopped at the limit while the server goes on serving. Here: closing the store.
 */
import { describe, expect, test } from "bun:test";
import type { NewEvent } from "../../src/store/events.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import { createTestDatabase } from "../support/databases.ts";

/** Slow for LIKE over megabytes of "a": 199 characters match before the "b" fails. */
const SLOW_ON_SQLITE = `${"a".repeat(199)}b`;

const event = (payload: unknown): NewEvent => ({
  source: "trigger",
  type: "search.test",
  occurredAt: new Date(),
  receivedAt: new Date(),
  payload,
  headers: {},
});

describe("the SQLite store's search thread", () => {
  test("a search still running when the store closes fails at once, and later searches are refused", async () => {
    const database = await createTestDatabase("sqlite");
    const path = database.target.kind === "sqlite" ? database.target.path : "";
    await (await database.openStore()).close(); // migrated
    const store = SqliteStore.open(path, undefined, { searchLimitMs: 60_000 });
    try {
      await store.events.record(event({ filler: "a".repeat(8 * 1024 * 1024) }));
      const started = performance.now();
      // Handled before the close, which fails it at once.
      const search = store.events.list({ text: SLOW_ON_SQLITE }, { limit: 10 }).then(
        () => "answered",
        (error: Error) => error.message,
      );
      await store.close();
      expect(await search).toBe("the store was closed");
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(store.events.list({ text: "anything" }, { limit: 10 })).rejects.toThrow(
        "the store is closed",
      );
    } finally {
      await database.drop();
    }
  });
});
