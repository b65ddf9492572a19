/**
 * Applies the embedded migrations (see migrations.gen.ts). One small migrator for both
 * dialects instead of drizzle's, for two reasons: drizzle's reads a folder, which a
 * compiled binary does not have, and it takes no lock, so two instances starting at the
 * same moment could both apply the same migration.
 */
export interface EmbeddedMigration {
  readonly tag: string;
  readonly sql: string;
}

/** drizzle-kit separates statements with this marker; Bun's SQLite runs only the first
 * statement of a multi-statement string, so each one is run on its own. */
export function splitStatements(sql: string): string[] {
  return sql
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

/** The migrations not yet applied, in order; an applied tag that we do not know means the
 * database was migrated by a newer hookyard, and running an older one on it is refused. */
export function pendingMigrations(
  all: readonly EmbeddedMigration[],
  applied: readonly string[],
): EmbeddedMigration[] {
  const known = new Set(all.map((migration) => migration.tag));
  const unknown = applied.filter((tag) => !known.has(tag));
  if (unknown.length > 0) {
    throw new Error(
      `the database has migrations this hookyard does not know (${unknown.join(", ")}): it was migrated by a newer version; run that version`,
    );
  }
  const done = new Set(applied);
  return all.filter((migration) => !done.has(migration.tag));
}

export interface MigrationReport {
  readonly applied: readonly string[];
}
