/**
 * Fresh databases for tests: SQLite always (a temp file, since some tests reopen it),
 * PostgreSQL when TEST_DATABASE_URL is set: a schema of its own per store, dropped
 * afterwards, so test files can run side by side on one server.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { DatabaseTarget } from "../../src/config.ts";
import { PgStore } from "../../src/store/pg/index.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import type { Store } from "../../src/store/store.ts";

export const postgresUrl = process.env.TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  /** For the app's config (DATABASE_URL); a PostgreSQL URL pins the schema via `options`. */
  readonly target: DatabaseTarget;
  /** A store opened on it, migrated. */
  openStore(): Promise<Store>;
  /** Drops the schema or deletes the file. */
  drop(): Promise<void>;
}

export type DialectName = "sqlite" | "postgres";

/** The dialects to run integration and contract tests on. */
export const dialects: readonly DialectName[] = postgresUrl ? ["sqlite", "postgres"] : ["sqlite"];

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  return dialect === "postgres" ? createPostgresSchema() : createSqliteFile();
}

async function createSqliteFile(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "hookyard-test-"));
  const path = join(dir, "hookyard.db");
  return {
    target: { kind: "sqlite", path },
    async openStore() {
      const store = SqliteStore.open(path);
      await store.migrate();
      return store;
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgresSchema(): Promise<TestDatabase> {
  if (!postgresUrl) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `hy_test_${Bun.randomUUIDv7().replaceAll("-", "").slice(-16)}`;
  const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    target: { kind: "postgres", url: url.toString() },
    async openStore() {
      const store = PgStore.open({ url: postgresUrl, searchPath: schema, maxConnections: 10 });
      await store.migrate();
      return store;
    },
    async drop() {
      const sql = postgres(postgresUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop schema if exists ${schema} cascade`);
      await sql.end();
    },
  };
}

/**
 * For a describe block: a migrated store on a fresh database, opened before its tests and
 * closed and dropped after them. Read `suite.store` inside tests, not at definition time.
 */
export function storeForSuite(dialect: DialectName): {
  readonly store: Store;
  readonly database: TestDatabase;
} {
  const suite = {} as { store: Store; database: TestDatabase };
  beforeAll(async () => {
    suite.database = await createTestDatabase(dialect);
    suite.store = await suite.database.openStore();
  });
  afterAll(async () => {
    await suite.store.close();
    await suite.database.drop();
  });
  return suite;
}
