/**
 * The baseline for the ingest benchmarks: the least a service can do per delivery,
 * a bare Bun.serve that parses the JSON body and inserts it as one row into the same kind
 * of database. No signature check, no dedupe, no routing, no logs.
 *   bun scripts/bench/baseline-ingest.ts PORT sqlite:PATH|postgres://…
 */
import { Database } from "bun:sqlite";
import postgres from "postgres";

const [portText = "0", url = "sqlite::memory:"] = process.argv.slice(2);

let insert: (json: string) => Promise<unknown>;
if (url.startsWith("postgres")) {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  await sql`create table if not exists baseline (id bigserial primary key, data jsonb not null)`;
  insert = (json) => sql`insert into baseline (data) values (${json}::jsonb)`;
} else {
  const db = new Database(url.slice("sqlite:".length), { create: true });
  db.run("pragma journal_mode = wal");
  db.run("pragma synchronous = normal");
  db.run(
    "create table if not exists baseline (id integer primary key autoincrement, data text not null)",
  );
  const statement = db.prepare("insert into baseline (data) values (?)");
  insert = async (json) => statement.run(json);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(portText),
  async fetch(request) {
    if (request.method !== "POST") return new Response("ok");
    const payload = await request.json();
    await insert(JSON.stringify(payload));
    return new Response('{"ok":true}', {
      status: 201,
      headers: { "content-type": "application/json" },
    });
  },
});
console.log(`baseline listening on ${server.port}`);
