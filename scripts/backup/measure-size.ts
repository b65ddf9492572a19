#!/usr/bin/env bun
/**
 * How much disk hookyard's database takes per event, to size the data directory and its
 * backups: stores COUNT entity events (a ~0.9 KB payload, 1.1 KB request) through a
 * running compiled hookyard, optionally each delivered to one endpoint, then measures the
 * SQLite file after a clean stop, or PostgreSQL's tables (pg_total_relation_size).
 *
 *   bun run build
 *   bun scripts/backup/measure-size.ts [--count 100000] [--endpoint] [--postgres URL]
 *
 * --postgres: a server URL; a database of its own is created and dropped on it.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { freePort, root } from "../../test/support/processes.ts";
import { until } from "../../test/support/until.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    endpoint: { type: "boolean", default: false },
    postgres: { type: "string" },
  },
});
const count = Number(values.count);
const work = mkdtempSync(join(tmpdir(), "hookyard-size-"));
const databaseName = `hookyard_size_${Date.now()}`;

async function onServer<T>(task: (sql: postgres.Sql) => Promise<T>, url = values.postgres) {
  const sql = postgres(url as string, { max: 1, onnotice() {} });
  try {
    return await task(sql);
  } finally {
    await sql.end();
  }
}

let databaseUrl = `sqlite:${join(work, "hookyard.db")}`;
if (values.postgres) {
  await onServer((sql) => sql.unsafe(`create database ${databaseName}`));
  const url = new URL(values.postgres);
  url.pathname = `/${databaseName}`;
  databaseUrl = url.toString();
}

let received = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    await request.arrayBuffer();
    received++;
    return new Response(null, { status: 204 });
  },
});
// Logging errors only: a JSON line per request would cost the shared cores CPU.
const port = await freePort();
const hookyard = Bun.spawn([join(root, "dist", "hookyard"), "serve"], {
  cwd: work,
  env: {
    PATH: process.env.PATH ?? "",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    ALLOW_PRIVATE_ENDPOINTS: "true",
    LOG_LEVEL: "error",
  },
  stdout: "ignore",
  stderr: "inherit",
});
const base = `http://127.0.0.1:${port}`;
await until(
  () =>
    fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ),
  10_000,
  () => "hookyard did not start",
);
const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

if (values.endpoint) {
  const url = `http://127.0.0.1:${receiver.port}/hook`;
  const response = await post("/endpoints", { url, event_types: ["*"] });
  if (response.status !== 201) throw new Error(`endpoint: ${await response.text()}`);
}

const description = "Review the storyboard and attach notes for the next version. ".repeat(12);
const event = (i: number) => ({
  action: "update",
  entity_type: "task",
  time: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
  id: `6f1c${String(i % 5000).padStart(4, "0")}-cd89-44bb-8954-6b4ee87aa57f`,
  modified_fields: ["status", "description"],
  payload: {
    name: `task ${i}`,
    status: "in_progress",
    assignee_id: "5428abf6-0f4c-4448-b619-fc9f4327619b",
    project_id: "0b7d2c1e-8a3f-4c55-9e21-7d0a6c3b9f10",
    due_date: "2026-12-24",
    description,
  },
});

const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (next < count) {
      const response = await post("/webhooks/event", event(next++));
      if (response.status !== 201) throw new Error(`${response.status} ${await response.text()}`);
    }
  }),
);
const stored = (performance.now() - started) / 1000;
// Nothing announces a delivery to this script but the receiver's own count.
while (values.endpoint && received < count) await Bun.sleep(100);
const done = (performance.now() - started) / 1000;
// Attempts are recorded in batches just after they are made: a clean stop writes the last.
hookyard.kill("SIGTERM");
if ((await hookyard.exited) !== 0) throw new Error("hookyard did not stop cleanly");
receiver.stop(true);

let bytes: number;
if (values.postgres) {
  bytes = await onServer(async (sql) => {
    const [row] = await sql<{ bytes: string }[]>`
      select sum(pg_total_relation_size(c.oid)) as bytes from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'`;
    return Number(row?.bytes);
  }, databaseUrl);
  await onServer((sql) => sql.unsafe(`drop database ${databaseName} with (force)`));
} else {
  bytes = statSync(join(work, "hookyard.db")).size;
}
rmSync(work, { recursive: true, force: true });

const delivered = values.endpoint
  ? `, each delivered once (all delivered at ${done.toFixed(1)} s)`
  : "";
console.log(
  `${values.postgres ? "PostgreSQL" : "SQLite"}: ${count} events stored in ${stored.toFixed(1)} s${delivered}`,
);
console.log(
  `${(bytes / 1e6).toFixed(1)} MB: ${(((bytes / count) * 1e6) / 1e9).toFixed(2)} GB per million events`,
);
