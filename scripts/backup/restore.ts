#!/usr/bin/env bun
/**
 * Restores a backup written by backup.ts into hookyard's database. Stop hookyard first
 * (every instance, on PostgreSQL): the script refuses while the database is in use.
 *
 *   bun scripts/backup/restore.ts BACKUP [--database URL] [--config FILE]
 *
 * SQLite: the current file (with its -wal and -shm) is moved aside, never deleted.
 * PostgreSQL: hookyard's tables are dropped and restored in one transaction.
 * Exit codes: 0 restored, 1 failed, 2 bad usage.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCli, UsageError } from "./cli.ts";
import { restorePostgres } from "./postgres.ts";
import { restoreSqlite } from "./sqlite.ts";
import { describeTarget, resolveTarget, USAGE_OPTIONS } from "./target.ts";

const USAGE = `Usage: bun scripts/backup/restore.ts BACKUP [--database URL] [--config FILE]

Replaces hookyard's database with BACKUP (written by backup.ts). Stop hookyard first.

${USAGE_OPTIONS}
`;

/** What a backup file is, from its first bytes. */
async function backupKind(path: string): Promise<"sqlite" | "postgres" | undefined> {
  const head = Buffer.from(await Bun.file(path).slice(0, 16).arrayBuffer()).toString("latin1");
  if (head.startsWith("SQLite format 3")) return "sqlite";
  if (head.startsWith("PGDMP")) return "postgres";
  return undefined;
}

await runCli(USAGE, async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { database: { type: "string" }, config: { type: "string" } },
  });
  const [backup, ...extra] = positionals;
  if (backup === undefined || extra.length > 0) throw new UsageError("expected one BACKUP path");
  if (!existsSync(backup)) throw new UsageError(`no such file: ${backup}`);
  const target = await resolveTarget(values);
  const kind = await backupKind(backup);
  if (kind !== target.kind) {
    throw new UsageError(
      `${backup} is ${kind === undefined ? "not a hookyard backup" : `a ${kind} backup`}, and the database is ${describeTarget(target)}`,
    );
  }
  if (target.kind === "sqlite") {
    const { movedAside } = restoreSqlite(backup, target.path);
    const aside = movedAside === undefined ? "" : `; the previous file is at ${movedAside}`;
    return `restored ${backup} to ${describeTarget(target)}${aside}`;
  }
  restorePostgres(backup, target.url);
  return `restored ${backup} to ${describeTarget(target)}`;
});
