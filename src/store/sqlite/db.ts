import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type * as schema from "./schema.ts";

export type SqliteDb = BunSQLiteDatabase<typeof schema>;
/** A transaction or the database itself. Bun's SQLite is synchronous, so transactions
 * here are synchronous functions: no other work can interleave with them. */
export type SqliteExecutor = Parameters<Parameters<SqliteDb["transaction"]>[0]>[0] | SqliteDb;
