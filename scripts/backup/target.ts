/**
 * Which database a backup or restore works on: DATABASE_URL read as `hookyard serve` reads
 * it (the environment over a `--config` TOML file over the default), so the scripts act
 * on the database the server uses when run with the same settings and working directory.
 */

import { databaseTarget } from "../../src/config/database.ts";
import { type DatabaseTarget, mergeSettings, readConfigFile, SETTINGS } from "../../src/config.ts";

/** A failure the user can fix (a path, a setting, hookyard still running): exit 1, one line. */
export class BackupError extends Error {}

export async function resolveTarget(options: {
  readonly database?: string | undefined;
  readonly config?: string | undefined;
}): Promise<DatabaseTarget> {
  if (options.database !== undefined) return databaseTarget(options.database);
  let file = {};
  if (options.config !== undefined) {
    const config = Bun.file(options.config);
    if (!(await config.exists())) throw new BackupError(`no such file: ${options.config}`);
    file = readConfigFile(await config.text(), options.config);
  }
  const url = mergeSettings(process.env, file).DATABASE_URL ?? SETTINGS.DATABASE_URL;
  return databaseTarget(url);
}

/** A URL fit for a log line: the password replaced, the user kept. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "sqlite") return `SQLite ${target.path}`;
  return `PostgreSQL ${target.url.replace(/^(\w+:\/\/[^:@/]*):[^@/]*@/, "$1:***@")}`;
}

export const USAGE_OPTIONS = `Options:
  --database URL   the database (default: DATABASE_URL, then --config's database_url,
                   then sqlite:./data/hookyard.db relative to the working directory)
  --config FILE    the TOML file hookyard serve is given, to read database_url from`;
