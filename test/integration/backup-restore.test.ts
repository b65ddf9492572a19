/**
 * scripts/backup: a backup taken while hookyard runs, restored after it stops, serves the
 * same events, and nothing stored after the backup. The scripts run as the user runs them,
 * in processes of their own, so SQLite's locks and PostgreSQL's sessions are real.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { databaseUrlOf } from "../support/app.ts";
import {
  createTestDatabase,
  dialects,
  postgresUrl,
  type TestDatabase,
} from "../support/databases.ts";
import { api, type HookyardProcess, root, startHookyard } from "../support/processes.ts";

const work = mkdtempSync(join(tmpdir(), "hookyard-backup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function script(name: "backup" | "restore", args: readonly string[]): Promise<ScriptRun> {
  const child = Bun.spawn(["bun", join(root, "scripts", "backup", `${name}.ts`), ...args], {
    cwd: work,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

/** A database of its own on the test server: pg_dump and pg_restore work on whole databases. */
async function createPostgresDatabase(): Promise<TestDatabase> {
  const server = postgresUrl as string;
  const name = `hy_backup_${Bun.randomUUIDv7().replaceAll("-", "").slice(-12)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    openStore: () => Promise.reject(new Error("not used")),
    async drop() {
      const sql = postgres(server, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end();
    },
  };
}

const entityEvent = (i: number) => ({
  action: "update",
  entity_type: "task",
  time: "2026-12-01T08:00:00Z",
  id: `task-${i}`,
  modified_fields: ["status"],
  payload: { status: "in_progress", note: `event ${i}` },
});

async function storeEvents(instance: HookyardProcess, from: number, count: number) {
  const ids: string[] = [];
  for (let i = from; i < from + count; i++) {
    ids.push(((await api(instance, "/webhooks/event", entityEvent(i))) as { id: string }).id);
  }
  return ids;
}

async function listedEvents(instance: HookyardProcess): Promise<unknown[]> {
  return ((await api(instance, "/events?limit=100")) as { events: unknown[] }).events;
}

const hasPgTools = Boolean(Bun.which("pg_dump") && Bun.which("pg_restore") && Bun.which("psql"));

for (const dialect of dialects) {
  describe(`backup and restore (${dialect})`, () => {
    test.skipIf(dialect === "postgres" && !hasPgTools)(
      "a backup taken while hookyard runs restores to the events it held then",
      async () => {
        const database =
          dialect === "sqlite"
            ? await createTestDatabase("sqlite")
            : await createPostgresDatabase();
        const databaseUrl = databaseUrlOf(database);
        const backupFile = join(work, `${dialect}.backup`);
        let instance = await startHookyard({ databaseUrl });
        try {
          await storeEvents(instance, 0, 20);
          const before = await listedEvents(instance);
          expect(before).toHaveLength(20);

          const backup = await script("backup", [backupFile, "--database", databaseUrl]);
          expect(backup).toMatchObject({ code: 0, stderr: "" });
          const [late] = await storeEvents(instance, 20, 1);

          const refused = await script("restore", [backupFile, "--database", databaseUrl]);
          expect(refused.code).toBe(1);
          expect(refused.stderr).toContain("stop");
          expect(await listedEvents(instance)).toHaveLength(21);

          expect(await instance.kill("SIGTERM")).toBe(0);
          const restore = await script("restore", [backupFile, "--database", databaseUrl]);
          expect(restore).toMatchObject({ code: 0, stderr: "" });

          instance = await startHookyard({ databaseUrl });
          expect(await listedEvents(instance)).toEqual(before);
          expect((await fetch(`${instance.url}/events/${late}`)).status).toBe(404);
        } finally {
          await instance.kill("SIGTERM");
          await database.drop();
        }
      },
      30_000,
    );
  });
}

describe("restore refuses a backup of the other kind", () => {
  test("a file that is not a backup is bad usage, and nothing is touched", async () => {
    const notABackup = join(work, "notes.txt");
    await Bun.write(notABackup, "hello");
    const database = join(work, "untouched", "hookyard.db");
    const run = await script("restore", [notABackup, "--database", `sqlite:${database}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not a hookyard backup");
    expect(await Bun.file(database).exists()).toBe(false);
  });
});
