#!/usr/bin/env bun
/**
 * Read benchmark: with a million stored events, GET /events?limit=50 (unfiltered, by
 * source, by entity, a deep page via cursor) and the dashboard's events page, by wrk
 * against the compiled hookyard, on SQLite and PostgreSQL. Target: p99 under 50 ms.
 *
 *   bun scripts/bench/read-events.ts [--events 1000000] [--duration 10] [--postgres URL]
 */
import { Database as Sqlite } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import {
  buildBinary,
  type Database,
  describeResult,
  freshDatabase,
  machineLine,
  requireWrk,
  root,
  runWrk,
  withHookyard,
} from "./lib.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
  },
});
const total = Number(values.events);
requireWrk();
if (!values["no-build"]) buildBinary();
const work = mkdtempSync(join(tmpdir(), "hookyard-read-"));
const start = Date.parse("2026-11-15T00:00:00Z");
const sources = ["entity", "github", "trigger", "hook"];
const types = ["task.update", "task.create", "component.update", "github.push"];

function migrate(url: string) {
  const run = Bun.spawnSync([join(root, "dist", "hookyard"), "migrate"], {
    env: { ...process.env, DATABASE_URL: url },
    stdout: "ignore",
    stderr: "inherit",
  });
  if (run.exitCode !== 0) throw new Error("migrate failed");
}

/** Rows spread over a week, as ingestion would have left them, inserted in bulk. */
async function seed(db: Database) {
  migrate(db.url);
  const t0 = performance.now();
  if (db.kind === "sqlite") {
    const sqlite = new Sqlite(db.url.slice("sqlite:".length));
    const insert = sqlite.prepare(
      "insert into events (id, source, type, entity_type, entity_id, action, occurred_at, received_at, payload, headers) values (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
    );
    const batch = sqlite.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const at = start + Math.floor((i / total) * 7 * 86_400_000);
        insert.run(
          Bun.randomUUIDv7("hex", at),
          sources[i % 4] as string,
          types[i % 4] as string,
          "task",
          `task-${i % 5000}`,
          "update",
          at,
          at,
          JSON.stringify({
            id: `task-${i % 5000}`,
            name: `Task number ${i}`,
            status: i % 3 === 0 ? "done" : "open",
          }),
        );
      }
    });
    for (let i = 0; i < total; i += 10_000) batch(i, Math.min(total, i + 10_000));
    sqlite.run("analyze");
    sqlite.close();
  } else {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await sql.unsafe(`
      insert into events (id, source, type, entity_type, entity_id, action, occurred_at, received_at, payload, headers)
      select lpad(to_hex(i), 12, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'),
             (array['entity','github','trigger','hook'])[i % 4 + 1],
             (array['task.update','task.create','component.update','github.push'])[i % 4 + 1],
             'task', 'task-' || (i % 5000), 'update', at, at,
             jsonb_build_object('id', 'task-' || (i % 5000), 'name', 'Task number ' || i, 'status', case when i % 3 = 0 then 'done' else 'open' end),
             '{}'::jsonb
      from (select i, timestamptz '2026-11-15T00:00:00Z' + (i::float / ${total}) * interval '7 days' as at
            from generate_series(0, ${total - 1}) as i) as rows`);
    await sql.unsafe("analyze events");
    await sql.end();
  }
  console.log(`  seeded ${total} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const rows: string[] = [];
for (const kind of values.postgres ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)) {
  console.log(`\n${kind}:`);
  const db = await freshDatabase(kind, "read", work, values.postgres);
  try {
    await seed(db);
    await withHookyard({ DATABASE_URL: db.url }, async (base) => {
      const page = (await (await fetch(`${base}/events?limit=50`)).json()) as {
        next_cursor: string;
      };
      let deep = page.next_cursor;
      for (let i = 0; i < 200; i++) {
        const next = (await (await fetch(`${base}/events?limit=50&cursor=${deep}`)).json()) as {
          next_cursor: string;
        };
        deep = next.next_cursor;
      }
      const targets: [string, string][] = [
        ["/events?limit=50", `${base}/events?limit=50`],
        ["/events?limit=50&source=github", `${base}/events?limit=50&source=github`],
        ["/events?limit=50&entity_id=task-42", `${base}/events?limit=50&entity_id=task-42`],
        ["/events?limit=50 (page 200)", `${base}/events?limit=50&cursor=${deep}`],
        ["/dashboard", `${base}/dashboard`],
      ];
      for (const [label, url] of targets) {
        await runWrk({ url, connections: 4, durationSeconds: 1 });
        const result = await runWrk({
          url,
          connections: Number(values.connections),
          durationSeconds: Number(values.duration),
        });
        console.log(describeResult(`  ${label}`, result));
        rows.push(
          `| ${kind} | ${label} | ${result.rps.toFixed(0)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.errors} |`,
        );
      }
    });
  } finally {
    await db.drop();
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`\n${total} events — ${machineLine()}, wrk ${values.connections} connections`);
console.log("| database | request | req/s | p50 ms | p99 ms | errors |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
