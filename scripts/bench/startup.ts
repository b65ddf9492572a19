#!/usr/bin/env bun
/**
 * Benchmark: how soon the compiled `hookyard serve` answers GET /healthz after exec, on
 * SQLite, for a new database (migrated at start) and an existing one, and its resident
 * memory once started.
 *
 *   bun scripts/bench/startup.ts [--runs 10] [--no-build]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildBinary, freePort, machineLine, median, residentMegabytes, root } from "./lib.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    "no-build": { type: "boolean", default: false },
  },
});
const runs = Math.max(1, Number(values.runs) || 1);
if (!values["no-build"]) buildBinary();
const work = mkdtempSync(join(tmpdir(), "hookyard-startup-"));

/** ms from exec to the first 200 from /healthz, polled every millisecond; and the RSS then. */
async function startOnce(databaseFile: string): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = Bun.spawn([join(root, "dist", "hookyard"), "serve"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `sqlite:${databaseFile}`,
      LOG_LEVEL: "error",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet: polled, as nothing else says when it is
      }
      await Bun.sleep(1);
    }
    const ms = performance.now() - started;
    return { ms, rssMb: residentMegabytes(child.pid) };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

const fresh: number[] = [];
const existing: number[] = [];
const rss: number[] = [];
for (let i = 0; i < runs; i++) {
  const file = join(work, `run-${i}.db`);
  const first = await startOnce(file);
  fresh.push(first.ms);
  const again = await startOnce(file);
  existing.push(again.ms);
  rss.push(again.rssMb);
}
const range = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
console.log(`hookyard serve → /healthz on SQLite, ${runs} runs; ${machineLine()}`);
console.log(`  new database (migrated at start): ${range(fresh)}`);
console.log(`  existing database:                ${range(existing)}`);
console.log(`  resident memory once started:     median ${median(rss).toFixed(0)} MB`);
rmSync(work, { recursive: true, force: true });
