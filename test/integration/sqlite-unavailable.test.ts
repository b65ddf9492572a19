/**
 * SQLite when the file cannot be written: another process holds the write lock, or the
 * file is read-only. Ingestion must answer 503 (senders retry) rather than hang or crash,
 * and work again, without a restart, once the file is writable.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isDatabaseUnavailable } from "../../src/store/errors.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  type Answer,
  INGEST_KINDS,
  isSuccess,
  send,
  subscribeReceiverAndHook,
} from "../support/outage-load.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";

const GITHUB_SECRET = "sqlite-github-secret";

/**
 * Tests run as root, to whom chmod forbids nothing; the immutable attribute (chattr +i, on
 * ext4 and most Linux file systems, given CAP_LINUX_IMMUTABLE) stops root's writes too.
 */
function setImmutable(paths: readonly string[], on: boolean): boolean {
  const existing = paths.filter((path) => existsSync(path));
  return spawnSync("chattr", [on ? "+i" : "-i", ...existing]).status === 0;
}

function canMakeImmutable(path: string): boolean {
  if (!setImmutable([path], true)) return false;
  setImmutable([path], false);
  return true;
}

describe("SQLite that cannot be written", () => {
  let app: TestApp;
  let receiver: Receiver;
  let hookId: string;
  let path: string;
  let n = 0;

  const sendEach = async () => {
    const answers: (Answer & { ms: number })[] = [];
    for (const kind of INGEST_KINDS) {
      const started = performance.now();
      const answer = await send(kind, n++, {
        baseUrl: app.url,
        githubSecret: GITHUB_SECRET,
        hookId,
        phase: () => "",
      });
      answers.push({ ...answer, ms: performance.now() - started });
    }
    return answers;
  };
  const notA503 = (answers: readonly Answer[]) =>
    answers.filter(
      (a) =>
        a.status !== 503 ||
        a.retryAfter === null ||
        typeof (a.body as { error?: unknown })?.error !== "string",
    );

  beforeAll(async () => {
    receiver = startReceiver();
    app = await startTestApp("sqlite", {
      settings: { GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, ALLOW_PRIVATE_ENDPOINTS: "true" },
    });
    if (app.database.target.kind !== "sqlite") throw new Error("unreachable");
    path = app.database.target.path;
    hookId = (await subscribeReceiverAndHook(app, receiver, "sqlite-tester")).hookId;
  });
  afterAll(async () => {
    setImmutable([path, `${path}-wal`], false);
    await app.stop();
    await receiver.stop();
  });

  test("while another connection holds the write lock, ingestion answers 503 promptly, then works again", async () => {
    const other = new Database(path);
    other.run("begin exclusive");
    let locked: Awaited<ReturnType<typeof sendEach>>;
    try {
      locked = await sendEach();
    } finally {
      other.run("rollback");
      other.close();
    }
    expect(notA503(locked)).toEqual([]);
    // SQLite waits out busy_timeout first, and Bun's driver waits synchronously: the
    // whole server stalls for that long, so it must be short.
    expect(Math.max(...locked.map((a) => a.ms))).toBeLessThan(1_500);
    const after = await sendEach();
    expect(after.filter((a) => !isSuccess(a))).toEqual([]);
  }, 15_000);

  test("concurrent deliveries while the write lock is held wait out busy_timeout once, not once each", async () => {
    const other = new Database(path);
    other.run("begin exclusive");
    const started = performance.now();
    let answers: Answer[];
    try {
      // Sent together, so they are stored as one batch; a batch that fails is written
      // again event by event, but not when the database is locked.
      answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          send("github", n++, {
            baseUrl: app.url,
            githubSecret: GITHUB_SECRET,
            hookId,
            phase: () => "",
          }),
        ),
      );
    } finally {
      other.run("rollback");
      other.close();
    }
    expect(notA503(answers)).toEqual([]);
    // busy_timeout is 250 ms; one wait per event would be 3 s.
    expect(performance.now() - started).toBeLessThan(1_500);
  }, 15_000);

  test.skipIf(!canMakeImmutable(import.meta.path))(
    "a database file that became read-only answers 503, then works again once writable",
    async () => {
      const before = receiver.requests.length;
      expect(setImmutable([path, `${path}-wal`], true)).toBe(true);
      let readOnly: Answer[];
      try {
        readOnly = await sendEach();
      } finally {
        setImmutable([path, `${path}-wal`], false);
      }
      expect(notA503(readOnly)).toEqual([]);
      const after = await sendEach();
      expect(after.filter((a) => !isSuccess(a))).toEqual([]);
      // The delivery worker lived through it: what was stored since goes out.
      const stored = after.filter((a) => a.kind !== "notification").length;
      await receiver.waitFor(before + stored, 10_000);
      expect(await (await app.request("/healthz")).json()).toEqual({ status: "ok" });
    },
    15_000,
  );

  test("a database opened read-only refuses writes with an error that means 503", async () => {
    const store = new SqliteStore(new Database(path, { readonly: true }));
    try {
      const write = store.hooks.create("read-only", new Date());
      const error = await write.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { code?: string })?.code).toStartWith("SQLITE_READONLY");
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
