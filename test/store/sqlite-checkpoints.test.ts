/**
 * SQLite's WAL checkpoints run on a thread of their own (src/store/sqlite/wal-checkpointer.ts),
 * with the main connection's automatic checkpoint kept as a backstop.
 */

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import { BACKSTOP_PAGES, WalCheckpointer } from "../../src/store/sqlite/wal-checkpointer.ts";
import { until } from "../support/until.ts";

const dir = mkdtempSync(join(tmpdir(), "hookyard-checkpoints-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const autocheckpoint = (sqlite: Database) =>
  sqlite.query<{ wal_autocheckpoint: number }, []>("pragma wal_autocheckpoint").get()
    ?.wal_autocheckpoint;

/**
 * The most frames the WAL file has held: it is reused from its start, never shrunk, so its
 * size (a 32-byte header, then 24 bytes and a 4 KB page per frame) is its high-water mark.
 */
const walFrames = (file: string) => Math.floor((statSync(file).size - 32) / (24 + 4096));

describe("SQLite WAL checkpoints", () => {
  test("a thread copies the WAL into the database file; the main connection's own checkpoint waits for BACKSTOP_PAGES; closing keeps every row", async () => {
    const path = join(dir, "copied.db");
    const store = SqliteStore.open(path);
    await store.migrate();
    expect(autocheckpoint(store.sqlite)).toBe(BACKSTOP_PAGES);

    const padding = "x".repeat(4_000);
    const events = 300;
    await Promise.all(
      Array.from({ length: events }, (_, i) =>
        store.events.record({
          source: "entity",
          type: "task.update",
          entityType: "task",
          entityId: `task-${i}`,
          action: "update",
          occurredAt: new Date(),
          receivedAt: new Date(),
          payload: { i, padding },
          headers: {},
        }),
      ),
    );
    // ~1.2 MB of payloads: the WAL holds fewer frames than the main connection's backstop,
    // so only the thread can have put them into the database file.
    await until(
      () => statSync(path).size > 1_200_000,
      5_000,
      () => `the database file stayed at ${statSync(path).size} bytes`,
    );
    expect(walFrames(`${path}-wal`)).toBeLessThan(BACKSTOP_PAGES);

    await store.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.query("select count(*) as n from events").get()).toEqual({ n: events });
    reopened.close();
  });

  test("a thread that cannot open the database hands checkpoints back to commits, with a warning", async () => {
    const sqlite = new Database(join(dir, "main.db"), { create: true });
    sqlite.run("pragma journal_mode = wal");
    const warnings: { message: string; fields: unknown }[] = [];
    const warned = Promise.withResolvers<void>();
    const checkpointer = new WalCheckpointer(join(dir, "no-such-folder", "x.db"), sqlite, {
      debug: () => {},
      warn: (message, fields) => {
        warnings.push({ message, fields });
        warned.resolve();
      },
    });
    await warned.promise;
    expect(warnings).toEqual([
      {
        message: "sqlite: the WAL checkpoint thread stopped; commits checkpoint again",
        fields: { error: expect.any(String) },
      },
    ]);
    expect(autocheckpoint(sqlite)).toBe(1_000);
    await checkpointer.close();
    sqlite.close();
  });
});
