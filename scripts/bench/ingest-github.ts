#!/usr/bin/env bun
/**
 * Benchmark: signed ~5 KB default-branch pushes with distinct delivery ids, posted by wrk
 * (a separate process) to the compiled hookyard and, in the same run, to a minimal
 * baseline that parses the JSON and inserts it into the same database.
 *
 *   bun scripts/bench/ingest-github.ts [--duration 15] [--connections 32] [--postgres URL]
 *
 * Needs wrk (Debian: apt-get install wrk). PostgreSQL runs when --postgres or
 * TEST_DATABASE_URL names a server; each run gets a fresh database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { commit, defaultBranchPush } from "../../test/fixtures/github/push.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "1" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
  },
});

const root = join(import.meta.dir, "..", "..");
const SECRET = "bench-secret";
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-"));

if (!Bun.which("wrk")) {
  console.error("wrk is not installed (Debian: apt-get install wrk)");
  process.exit(2);
}
if (!values["no-build"]) {
  const build = Bun.spawnSync(["bun", "run", "build"], {
    cwd: root,
    stdout: "ignore",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) process.exit(1);
}

// A realistic push of about 5 KB: GitHub's example repository object and one commit.
const commits = [
  commit("Tidy up the retry loop and its tests", {
    modified: ["src/retry.ts", "test/retry.test.ts"],
  }),
];
const payload = defaultBranchPush({}, commits);
// GitHub's example repository carries ~40 API URL templates; dropping those not needed
// brings the body to the ~5 KB the benchmark is specified for.
const repository = payload.repository as Record<string, unknown>;
for (const key of Object.keys(repository)) {
  if (key.endsWith("_url") && !["html_url", "clone_url", "git_url"].includes(key))
    delete repository[key];
}
const body = JSON.stringify(payload);
const bodyFile = join(work, "push.json");
await Bun.write(bodyFile, body);
const signature = signGitHubPayload(SECRET, body);

interface Result {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly requests: number;
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

async function waitFor(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await Bun.sleep(50);
    }
  }
  throw new Error(`${url} never answered`);
}

function toMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function runWrk(url: string): Promise<Result> {
  const child = Bun.spawn(
    [
      "wrk",
      `-t${values.threads}`,
      `-c${values.connections}`,
      `-d${values.duration}s`,
      "--latency",
      "-s",
      join(import.meta.dir, "github-push.lua"),
      url,
      "--",
      bodyFile,
      signature,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const out = await new Response(child.stdout).text();
  await child.exited;
  const line = (pattern: RegExp) => pattern.exec(out)?.[1] ?? "";
  return {
    rps: Number(line(/Requests\/sec:\s+([\d.]+)/)),
    p50: toMs(line(/\s50%\s+(\S+)/)),
    p99: toMs(line(/\s99%\s+(\S+)/)),
    errors:
      Number(line(/Non-2xx or 3xx responses:\s+(\d+)/) || 0) +
      Number(line(/Socket errors:.*?(\d+)/) || 0),
    requests: Number(line(/(\d+) requests in/)),
  };
}

async function measure(
  label: string,
  command: string[],
  env: Record<string, string>,
  port: number,
) {
  const child = Bun.spawn(command, {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/`);
    // A short warm-up so JIT and connection pools are in their steady state.
    await runWrkWarmup(`http://127.0.0.1:${port}/webhooks/github`);
    const result = await runWrk(`http://127.0.0.1:${port}/webhooks/github`);
    if (result.errors > 0)
      throw new Error(`${label.trim()}: ${result.errors} requests were not 2xx`);
    console.log(
      `${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.requests} requests, ${result.errors} errors`,
    );
    return result;
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

async function runWrkWarmup(url: string) {
  const child = Bun.spawn(
    [
      "wrk",
      "-t1",
      "-c8",
      "-d2s",
      "-s",
      join(import.meta.dir, "github-push.lua"),
      url,
      "--",
      bodyFile,
      signature,
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await child.exited;
}

async function freshDatabase(
  kind: "sqlite" | "postgres",
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === "sqlite") return { url: `sqlite:${join(work, `${name}.db`)}`, drop: async () => {} };
  const admin = postgres(values.postgres, { max: 1, onnotice: () => {} });
  const database = `hookyard_bench_${name}_${Date.now()}`;
  await admin.unsafe(`create database ${database}`);
  const url = new URL(values.postgres);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

const rows: string[] = [];
for (const kind of values.postgres ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)) {
  console.log(
    `\n${kind}: ${values.connections} connections, ${values.duration}s, body ${body.length} bytes`,
  );
  const hookyardDb = await freshDatabase(kind, "hookyard");
  const baselineDb = await freshDatabase(kind, "baseline");
  try {
    const hookyardPort = await freePort();
    const hookyard = await measure(
      "  hookyard",
      [join(root, "dist", "hookyard"), "serve"],
      {
        HOST: "127.0.0.1",
        PORT: String(hookyardPort),
        DATABASE_URL: hookyardDb.url,
        GITHUB_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: "info",
        RETENTION_CRON: "0 0 1 1 *",
      },
      hookyardPort,
    );
    const baselinePort = await freePort();
    const baseline = await measure(
      "  baseline",
      ["bun", join(import.meta.dir, "baseline-github.ts"), String(baselinePort), baselineDb.url],
      {},
      baselinePort,
    );
    const ratio = hookyard.rps / baseline.rps;
    console.log(`  ratio: ${ratio.toFixed(2)}x the baseline's throughput`);
    rows.push(
      `| ${kind} | ${hookyard.rps.toFixed(0)} | ${hookyard.p50.toFixed(1)} | ${hookyard.p99.toFixed(1)} | ${baseline.rps.toFixed(0)} | ${baseline.p50.toFixed(1)} | ${baseline.p99.toFixed(1)} | ${ratio.toFixed(2)}x |`,
    );
  } finally {
    await hookyardDb.drop();
    await baselineDb.drop();
  }
}
rmSync(work, { recursive: true, force: true });
console.log(
  "\n| database | hookyard req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
