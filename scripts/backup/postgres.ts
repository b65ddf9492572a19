/**
 * PostgreSQL backups with PostgreSQL's own tools: `pg_dump` reads one consistent snapshot
 * while hookyard runs; `pg_restore` puts it back. Both come with the PostgreSQL client
 * (Debian: postgresql-client), and pg_dump must be at least as new as the server.
 */
import { renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { BackupError } from "./target.ts";

function run(command: readonly string[]): string {
  const [tool] = command;
  if (tool === undefined || !Bun.which(tool)) {
    throw new BackupError(`${tool} is not installed (Debian: apt-get install postgresql-client)`);
  }
  const result = Bun.spawnSync([...command], { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new BackupError(`${tool} failed: ${result.stderr.toString().trim()}`);
  }
  return result.stdout.toString();
}

/** The custom format: compressed, and pg_restore can clean and restore it table by table. */
export function backupPostgres(url: string, outPath: string): { bytes: number } {
  const partial = join(dirname(outPath), `.${Date.now()}-${process.pid}.partial.dump`);
  try {
    run(["pg_dump", "--format=custom", "--no-owner", "--file", partial, "--dbname", url]);
    renameSync(partial, outPath);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { bytes: statSync(outPath).size };
}

/** hookyard names its connections; any still open means an instance is running. */
export function hookyardConnections(url: string): number {
  const count = run([
    "psql",
    "--no-psqlrc",
    "--tuples-only",
    "--no-align",
    "--dbname",
    url,
    "--command",
    "select count(*) from pg_stat_activity where datname = current_database() and application_name = 'hookyard'",
  ]);
  return Number(count.trim());
}

/**
 * Replaces what the dump holds (hookyard's tables) in one transaction: a failure leaves
 * the database as it was.
 */
export function restorePostgres(dumpPath: string, url: string): void {
  const open = hookyardConnections(url);
  if (open > 0) {
    throw new BackupError(
      `hookyard has ${open} connection(s) open to this database: stop every instance first`,
    );
  }
  run([
    "pg_restore",
    "--clean",
    "--if-exists",
    "--no-owner",
    "--single-transaction",
    "--exit-on-error",
    "--dbname",
    url,
    dumpPath,
  ]);
}
