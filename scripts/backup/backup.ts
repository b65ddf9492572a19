#!/usr/bin/env bun
/**
 * Backs up hookyard's database while hookyard runs: SQLite with `VACUUM INTO` (one
 * consistent file, WAL included), PostgreSQL with `pg_dump --format=custom`.
 *
 *   bun scripts/backup/backup.ts OUT [--database URL] [--config FILE]
 *
 * OUT must not exist. Exit codes: 0 written, 1 failed (nothing left at OUT), 2 bad usage.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCli, UsageError } from "./cli.ts";
import { backupPostgres } from "./postgres.ts";
import { backupSqlite } from "./sqlite.ts";
import { describeTarget, resolveTarget, USAGE_OPTIONS } from "./target.ts";

const USAGE = `Usage: bun scripts/backup/backup.ts OUT [--database URL] [--config FILE]

Writes a backup of hookyard's database to OUT (a SQLite file, or a pg_dump custom-format
archive for PostgreSQL) without stopping hookyard.

${USAGE_OPTIONS}
`;

await runCli(USAGE, async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { database: { type: "string" }, config: { type: "string" } },
  });
  const [out, ...extra] = positionals;
  if (out === undefined || extra.length > 0) throw new UsageError("expected one OUT path");
  if (existsSync(out)) throw new UsageError(`${out} exists: give a new name`);
  const target = await resolveTarget(values);
  const started = performance.now();
  const report =
    target.kind === "sqlite" ? backupSqlite(target.path, out) : backupPostgres(target.url, out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const events = "events" in report ? `, ${report.events} events` : "";
  return `backed up ${describeTarget(target)} to ${out} (${report.bytes} bytes${events}) in ${seconds} s`;
});
