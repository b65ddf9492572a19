/**
 * SQLite backups of a live database: `VACUUM INTO` reads one consistent snapshot through
 * SQLite itself, WAL included, while hookyard goes on writing. Copying the file instead
 * misses what is still in the `-wal` file and can catch pages halfway through a checkpoint.
 */
import { Database } from "bun:sqlite";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { BackupError } from "./target.ts";

export interface SqliteBackupReport {
  readonly bytes: number;
  readonly events: number;
}

export function backupSqlite(databasePath: string, outPath: string): SqliteBackupReport {
  if (!existsSync(databasePath)) throw new BackupError(`no database at ${databasePath}`);
  const partial = join(dirname(outPath), `.${Date.now()}-${process.pid}.partial.db`);
  const source = new Database(databasePath, { readonly: true });
  try {
    // A reader never waits for hookyard's writer under WAL; this covers a checkpoint
    // that is restarting the WAL at the moment the snapshot starts.
    source.run("pragma busy_timeout = 5000");
    source.query("vacuum into ?").run(partial);
  } finally {
    source.close();
  }
  try {
    const events = checkBackup(partial);
    // Renamed only once complete and checked, so a backup interrupted halfway never sits
    // under the name a restore would pick.
    renameSync(partial, outPath);
    return { bytes: statSync(outPath).size, events };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** The number of events in a hookyard SQLite file; throws unless it is one, and sound. */
export function checkBackup(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const check = db.query<{ quick_check: string }, []>("pragma quick_check").get();
    if (check?.quick_check !== "ok") {
      throw new BackupError(`${path} fails SQLite's check: ${check?.quick_check}`);
    }
    const migrations = db
      .query<{ n: number }, []>(
        "select count(*) as n from sqlite_master where name = 'hookyard_migrations'",
      )
      .get();
    if (!migrations?.n) throw new BackupError(`${path} is not a hookyard database`);
    return db.query<{ n: number }, []>("select count(*) as n from events").get()?.n ?? 0;
  } finally {
    db.close();
  }
}

/**
 * Whether a process has the database open. An exclusive lock in WAL mode cannot be taken
 * while any other connection, in any process, has the file open.
 */
export function sqliteInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path);
  try {
    db.run("pragma busy_timeout = 0");
    db.run("pragma locking_mode = exclusive");
    db.run("begin exclusive");
    db.run("commit");
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

const COMPANIONS = ["", "-wal", "-shm"] as const;

/**
 * Puts a backup in place of the database at `databasePath`, which hookyard must not have
 * open. What was there is moved aside (with its `-wal` and `-shm`, which belong to it
 * and would corrupt the restored file if left beside it), never deleted.
 */
export function restoreSqlite(backupPath: string, databasePath: string): { movedAside?: string } {
  const events = checkBackup(backupPath);
  if (sqliteInUse(databasePath)) {
    throw new BackupError(
      `${databasePath} is open in another process: stop hookyard (every process using it) first`,
    );
  }
  const partial = `${databasePath}.restoring-${process.pid}`;
  const source = new Database(backupPath, { readonly: true });
  try {
    source.query("vacuum into ?").run(partial);
  } finally {
    source.close();
  }
  let movedAside: string | undefined;
  if (COMPANIONS.some((suffix) => existsSync(`${databasePath}${suffix}`))) {
    movedAside = `${databasePath}.before-restore-${new Date().toISOString().replace(/[:.]/g, "")}`;
    for (const suffix of COMPANIONS) {
      if (existsSync(`${databasePath}${suffix}`)) {
        renameSync(`${databasePath}${suffix}`, `${movedAside}${suffix}`);
      }
    }
  }
  renameSync(partial, databasePath);
  if (checkBackup(databasePath) !== events) {
    throw new BackupError(`${databasePath} does not hold the backup's ${events} events`);
  }
  return movedAside === undefined ? {} : { movedAside };
}
