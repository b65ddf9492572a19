import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.ts";

export type PgDb = PostgresJsDatabase<typeof schema>;
/** A transaction or the database itself: queries that can run in either take this. */
export type PgExecutor = Parameters<Parameters<PgDb["transaction"]>[0]>[0] | PgDb;
