#!/usr/bin/env bun
/**
 * Benchmark: signed ~5 KB default-branch pushes with distinct delivery ids, posted by wrk
 * to the compiled hookyard and, in the same run, to a minimal baseline that parses the
 * JSON and inserts it into the same kind of database (scripts/bench/baseline-ingest.ts).
 *
 *   bun scripts/bench/ingest-github.ts [--duration 15] [--connections 32] [--rounds 3]
 *       [--postgres URL] [--no-sqlite]
 *
 * Needs wrk (Debian: apt-get install wrk). PostgreSQL runs when --postgres or
 * TEST_DATABASE_URL names a server; each run gets fresh databases.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { compareWithBaseline } from "./compare.ts";
import { buildBinary, requireWrk } from "./lib.ts";
import { benchPush } from "./push-payload.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
    "no-sqlite": { type: "boolean", default: false },
  },
});

requireWrk();
if (!values["no-build"]) buildBinary();
const SECRET = "bench-secret";
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-"));

const body = JSON.stringify(benchPush());
const bodyFile = join(work, "push.json");
await Bun.write(bodyFile, body);

await compareWithBaseline({
  title: `GitHub push, ${body.length} bytes`,
  work,
  postgres: values.postgres,
  sqlite: !values["no-sqlite"],
  connections: Number(values.connections),
  durationSeconds: Number(values.duration),
  rounds: Math.max(1, Number(values.rounds) || 1),
  path: "/webhooks/github",
  env: { GITHUB_WEBHOOK_SECRET: SECRET },
  script: join(import.meta.dir, "github-push.lua"),
  scriptArgs: [bodyFile, signGitHubPayload(SECRET, body)],
});
rmSync(work, { recursive: true, force: true });
