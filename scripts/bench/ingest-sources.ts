#!/usr/bin/env bun
/**
 * Benchmark: ingest through a `stripe` source (`POST /in/stripe-bench`) against the
 * built-in GitHub route (`POST /webhooks/github`), side by side on one compiled hookyard,
 * in alternating rounds, with the same ~5 KB JSON body. Every request is genuine and new:
 * GitHub's with a fresh X-GitHub-Delivery, Stripe's with a fresh event id in the body and
 * a fresh `Stripe-Signature` (HMAC-SHA256 of `t.body`). A source does more per request
 * (it keeps the body as received and every header), and this says what that costs.
 *
 *   bun scripts/bench/ingest-sources.ts [--duration 10] [--connections 32] [--rounds 3]
 *       [--postgres URL] [--no-sqlite] [--no-build]
 *
 * The load comes from this process (signing each Stripe request needs a fresh HMAC, which
 * wrk's Lua has no library for); both routes get the same client, so the comparison holds.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { commit, defaultBranchPush } from "../../test/fixtures/github/push.ts";
import {
  buildBinary,
  freshDatabase,
  machineLine,
  median,
  peakResidentMegabytes,
  processCpuMicros,
  withHookyard,
} from "./lib.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
    "no-sqlite": { type: "boolean", default: false },
  },
});
const durationMs = Number(values.duration) * 1000;
const connections = Number(values.connections);
const rounds = Math.max(1, Number(values.rounds) || 1);

if (!values["no-build"]) buildBinary();
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-sources-"));
const GITHUB_SECRET = "bench-secret";
const STRIPE_SECRET = "whsec_bench_0123456789abcdef";

// The same push the GitHub benchmark posts, its API URL templates dropped (~5 KB).
const push = defaultBranchPush({}, [commit("Tidy up the retry loop", { modified: ["a.ts"] })]);
const repository = push.repository as Record<string, unknown>;
for (const key of Object.keys(repository)) {
  if (key.endsWith("_url") && !["html_url", "clone_url", "git_url"].includes(key))
    delete repository[key];
}
const githubBody = JSON.stringify(push);
const githubSignature = signGitHubPayload(GITHUB_SECRET, githubBody);
// A Stripe event of the same size: its id changes per request, the rest is the push.
const stripeTail = JSON.stringify({ object: "event", type: "push.bench", data: { object: push } });

type Route = "github" | "stripe";

function requestFor(route: Route, n: number): { path: string; init: RequestInit } {
  if (route === "github") {
    return {
      path: "/webhooks/github",
      init: {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": `bench-${n}-${crypto.randomUUID()}`,
          "x-hub-signature-256": githubSignature,
        },
        body: githubBody,
      },
    };
  }
  const body = `{"id":"evt_${n}_${crypto.randomUUID()}",${stripeTail.slice(1)}`;
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", STRIPE_SECRET).update(`${t}.${body}`).digest("hex");
  return {
    path: "/in/stripe-bench",
    init: {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": `t=${t},v1=${v1}` },
      body,
    },
  };
}

interface RoundResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly cpuMicrosPerRequest: number;
}

let counter = 0;

/** `connections` loops, each sending one request after another, for `ms`. */
async function load(base: string, pid: number, route: Route, ms: number): Promise<RoundResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = processCpuMicros(pid);
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const { path, init } = requestFor(route, ++counter);
        const sent = performance.now();
        const response = await fetch(`${base}${path}`, init);
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (response.status >= 300) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    cpuMicrosPerRequest: (processCpuMicros(pid) - cpuBefore) / Math.max(1, latencies.length),
  };
}

const describe = (label: string, r: RoundResult) =>
  `${label.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ${r.cpuMicrosPerRequest.toFixed(0).padStart(5)} µs CPU/req  ${r.errors} errors`;

async function compare(kind: "sqlite" | "postgres"): Promise<void> {
  const database = await freshDatabase(kind, "sources", work, values.postgres);
  try {
    await withHookyard(
      { DATABASE_URL: database.url, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, LOG_LEVEL: "warn" },
      async (base, pid) => {
        const created = await fetch(`${base}/sources`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: "stripe-bench",
            verifier: { type: "stripe", secret: STRIPE_SECRET },
          }),
        });
        if (created.status !== 201) throw new Error(`creating the source: ${created.status}`);
        // Warm-up: the JIT and the database's caches, for both routes.
        await load(base, pid, "github", 2_000);
        await load(base, pid, "stripe", 2_000);
        const results: Record<Route, RoundResult[]> = { github: [], stripe: [] };
        for (let round = 1; round <= rounds; round++) {
          for (const route of round % 2
            ? (["github", "stripe"] as const)
            : (["stripe", "github"] as const)) {
            const result = await load(base, pid, route, durationMs);
            results[route].push(result);
            console.log(`  ${kind} round ${round}  ${describe(route, result)}`);
          }
        }
        console.log(
          `  ${kind}: hookyard's peak resident memory ${peakResidentMegabytes(pid).toFixed(0)} MB`,
        );
        const mid = (route: Route, key: keyof RoundResult) =>
          median(results[route].map((r) => r[key]));
        console.log(
          `${kind}: stripe source / GitHub route, medians of ${rounds} rounds: throughput ${(mid("stripe", "rps") / mid("github", "rps")).toFixed(2)}×, p50 ${(mid("stripe", "p50") / mid("github", "p50")).toFixed(2)}×, p99 ${(mid("stripe", "p99") / mid("github", "p99")).toFixed(2)}×, CPU per request ${(mid("stripe", "cpuMicrosPerRequest") / mid("github", "cpuMicrosPerRequest")).toFixed(2)}×`,
        );
      },
    );
  } finally {
    await database.drop();
  }
}

console.log(
  `Ingest through a stripe source against the GitHub route: ${githubBody.length}-byte bodies, ${connections} connections, ${values.duration} s per round; ${machineLine()}`,
);
if (!values["no-sqlite"]) await compare("sqlite");
if (values.postgres) await compare("postgres");
rmSync(work, { recursive: true, force: true });
