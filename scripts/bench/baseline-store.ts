/**
 * The ingest baseline's storage: one table, one row per request, each committed alone.
 * Shared by the baseline server (./baseline-ingest.ts) and the serving-thread breakdown
 * (./ingest-sqlite-floor.ts), so that both measure the same write.
 */
import { Database } from "bun:sqlite";
import postgres from "postgres";

export interface BaselineStore {
  readonly insert: (json: string) => Promise<unknown>;
  readonly close: () => Promise<void>;
}

/** `url`: `sqlite:PATH` or `postgres://…`. */
export async function openBaselineStore(url: string): Promise<BaselineStore> {
  if (url.startsWith("postgres")) {
    const sql = postgres(url, { max: 10, onnotice: () => {} });
    await sql`create table if not exists baseline (id bigserial primary key, data jsonb not null)`;
    return {
      insert: (json) => sql`insert into baseline (data) values (${json}::jsonb)`,
      close: () => sql.end(),
    };
  }
  const db = new Database(url.slice("sqlite:".length), { create: true });
  db.run("pragma journal_mode = wal");
  db.run("pragma synchronous = normal");
  db.run(
    "create table if not exists baseline (id integer primary key autoincrement, data text not null)",
  );
  const statement = db.prepare("insert into baseline (data) values (?)");
  return {
    insert: async (json) => statement.run(json),
    close: async () => db.close(),
  };
}
