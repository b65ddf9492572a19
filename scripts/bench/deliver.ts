#!/usr/bin/env bun
/**
 * Benchmark: outbound delivery. Every side delivers to the same local receiver, which
 * answers 200 at once and notes when each delivery arrives (`deliver-receiver.ts`).
 *
 * End to end, in rounds that alternate them: hookyard on SQLite, hookyard on PostgreSQL and
 * a peer, a Bun server with graphile-worker doing the same work (`peers/graphile-deliver.ts`,
 * PostgreSQL only), each on a fresh database. Each gets `--endpoints` endpoints and
 * `--events` triggers (POST /trigger/bench.event, `--triggers` at a time): deliveries/s from
 * the first trigger sent to the last delivery received, trigger→received latency, CPU per
 * delivery (the server's process, and PostgreSQL's for the contestant's database), and
 * every delivery's signature checked with the Standard Webhooks library.
 *
 * Then, unless `--no-backlog`, the delivery engine alone against the least a sender can do:
 * - backlog: the same events stored first (through the store, as ingestion stores them),
 *   then hookyard starts and delivers them;
 * - baseline: a separate process POSTs the same number of bodies, signed the same way, with
 *   the same concurrency as DELIVERY_CONCURRENCY, with no persistence. Its bodies are ready
 *   when it starts, like the backlog's, so the ratio that compares like with like is
 *   backlog over baseline.
 *
 * On a shared 2-core machine one run can be 15% off the next: every side runs `--rounds`
 * times, alternating, and the tables give medians (each round's figures are printed too).
 *
 *   bun scripts/bench/deliver.ts [--events 20000] [--endpoints 5] [--concurrency 32]
 *       [--triggers 16] [--payload-bytes 256] [--rounds 3] [--postgres URL] [--no-sqlite]
 *       [--no-peer] [--no-backlog] [--no-build]
 *
 * PostgreSQL, and with it the peer, runs when --postgres or TEST_DATABASE_URL names a server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildDeliveryRequest } from "../../src/delivery/request.ts";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import { runBacklog, runBaseline } from "./deliver-backlog.ts";
import { type Contestant, type Load, type Result, runEndToEnd } from "./deliver-end-to-end.ts";
import { inParallel, type Measurement } from "./deliver-receiver.ts";
import { deliveryTargetLines } from "./deliver-targets.ts";
import {
  buildBinary,
  type Database,
  freshDatabase,
  machineLine,
  median,
  ownCpuMicros,
} from "./lib.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    endpoints: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    triggers: { type: "string", default: "16" },
    "payload-bytes": { type: "string", default: "256" },
    rounds: { type: "string", default: "3" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-sqlite": { type: "boolean", default: false },
    "no-peer": { type: "boolean", default: false },
    "no-backlog": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    // internal: this script re-run as the baseline's sending process
    "baseline-sender": { type: "string" },
  },
});

const positive = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: expected a positive integer, got "${values[name]}"`);
    process.exit(2);
  }
  return n;
};
const EVENTS = positive("events");
const ENDPOINTS = positive("endpoints");
const CONCURRENCY = positive("concurrency");
const TRIGGERS = positive("triggers");
const ROUNDS = positive("rounds");
const PAD = "x".repeat(Number(values["payload-bytes"]) || 0);
const TOTAL = EVENTS * ENDPOINTS;

if (values["baseline-sender"] !== undefined) {
  // The baseline: sign and POST every body, `--concurrency` at a time, nothing stored.
  const target = values["baseline-sender"];
  const secret = generateEndpointSecret();
  await inParallel(TOTAL, CONCURRENCY, async (job) => {
    const event = Math.floor(job / ENDPOINTS);
    const request = buildDeliveryRequest({
      messageId: `evt_${event}`,
      type: "bench.event",
      timestamp: new Date(),
      data: { i: event, pad: PAD },
      secret,
      version: "baseline",
    });
    const response = await fetch(`${target}/e${job % ENDPOINTS}`, {
      method: "POST",
      headers: request.headers,
      body: request.body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`baseline: HTTP ${response.status}`);
  });
  console.log(JSON.stringify({ cpuMicros: ownCpuMicros() }));
  process.exit(0);
}

/** The backlog's latencies measure its queue, not delivery: only the rate is printed. */
const describeRate = (label: string, m: Measurement) =>
  `${label.padEnd(11)} ${m.perSecond.toFixed(0).padStart(7)} deliveries/s   (${m.seconds.toFixed(1)}s from start-up, ${m.duplicates} duplicates)`;

const cpuTotal = (m: Measurement) => Object.values(m.cpu ?? {}).reduce((a, b) => a + b, 0);

/** Where the CPU went: on a machine whose cores are all busy, this bounds the ratio. */
const describeCpu = (label: string, m: Measurement) =>
  `${label.padEnd(11)} CPU per delivery: ${Object.entries(m.cpu ?? {})
    .map(([process, us]) => `${process} ${us.toFixed(0)} µs`)
    .join(", ")}, in all ${cpuTotal(m).toFixed(0)} µs`;

/** Each figure's median over the rounds; duplicates are added up, since any is a fault. */
function medianMeasurement(rounds: readonly Measurement[]): Measurement {
  const of = (pick: (m: Measurement) => number) => median(rounds.map(pick));
  const processes = Object.keys(rounds[0]?.cpu ?? {});
  return {
    perSecond: of((m) => m.perSecond),
    p50: of((m) => m.p50),
    p99: of((m) => m.p99),
    seconds: of((m) => m.seconds),
    duplicates: rounds.reduce((sum, m) => sum + m.duplicates, 0),
    cpu: Object.fromEntries(processes.map((name) => [name, of((m) => m.cpu?.[name] ?? 0)])),
  };
}

async function withDatabase<T>(
  dialect: "sqlite" | "postgres",
  name: string,
  run: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await freshDatabase(dialect, name, work, values.postgres ?? "");
  try {
    return await run(database);
  } finally {
    await database.drop();
  }
}

const describeResult = (label: string, r: Result) =>
  `  ${label}: ${r.perSecond.toFixed(0)} deliveries/s, trigger→received p50 ${r.p50} ms, p99 ${r.p99} ms, ${cpuTotal(r).toFixed(0)} µs CPU per delivery (${Object.entries(
    r.cpu ?? {},
  )
    .map(([name, us]) => `${name} ${us.toFixed(0)}`)
    .join(
      " + ",
    )}), triggers stored at ${r.triggersPerSecond.toFixed(0)}/s, peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.duplicates} duplicates, signatures: ${r.signatures.verified} verified, ${r.signatures.failed} failed`;

/** The end-to-end table: each contestant's medians, then hookyard's ratios to the peer. */
function printEndToEnd(results: ReadonlyMap<Contestant, Result[]>): void {
  const medians = new Map(
    [...results].map(([contestant, rounds]) => [contestant, medianMeasurement(rounds)]),
  );
  console.log(`\nend to end — ${machineLine()}; medians of ${ROUNDS} rounds`);
  console.log(
    "| contestant | deliveries/s | trigger→received p50 ms | p99 ms | CPU per delivery µs | duplicates |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const [contestant, m] of medians) {
    const parts = Object.entries(m.cpu ?? {})
      .map(([name, us]) => `${name} ${us.toFixed(0)}`)
      .join(" + ");
    console.log(
      `| ${contestant} | ${m.perSecond.toFixed(0)} | ${m.p50} | ${m.p99} | ${cpuTotal(m).toFixed(0)} (${parts}) | ${m.duplicates} |`,
    );
  }
  const peer = medians.get("graphile-worker peer");
  if (!peer) return;
  for (const contestant of ["hookyard, SQLite", "hookyard, PostgreSQL"] as const) {
    const m = medians.get(contestant);
    if (!m) continue;
    console.log(
      `${contestant} / peer: ${(m.perSecond / peer.perSecond).toFixed(2)}× deliveries/s, p50 ${(m.p50 / peer.p50).toFixed(2)}×, p99 ${(m.p99 / peer.p99).toFixed(2)}×, CPU per delivery ${(cpuTotal(m) / cpuTotal(peer)).toFixed(2)}×`,
    );
  }
}

if (!values["no-build"]) buildBinary();
const dialects = [
  ...(values["no-sqlite"] ? [] : (["sqlite"] as const)),
  ...(values.postgres ? (["postgres"] as const) : []),
];
const contestants: readonly (readonly [Contestant, "sqlite" | "postgres"])[] = [
  ...(values["no-sqlite"] ? [] : ([["hookyard, SQLite", "sqlite"]] as const)),
  ...(values.postgres ? ([["hookyard, PostgreSQL", "postgres"]] as const) : []),
  ...(values.postgres && !values["no-peer"]
    ? ([["graphile-worker peer", "postgres"]] as const)
    : []),
];
const load: Load = {
  events: EVENTS,
  endpoints: ENDPOINTS,
  triggers: TRIGGERS,
  concurrency: CONCURRENCY,
  pad: PAD,
  postgres: values.postgres ?? "",
};
console.log(
  `delivery benchmark: ${EVENTS} events × ${ENDPOINTS} endpoints = ${TOTAL} deliveries, ${TRIGGERS} triggers in flight, concurrency ${CONCURRENCY}, ${PAD.length}-byte payloads, ${ROUNDS} rounds`,
);
console.log(`machine: ${machineLine()}`);
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-deliver-"));
try {
  const endToEnd = new Map<Contestant, Result[]>(contestants.map(([c]) => [c, []]));
  const backlogs = new Map(dialects.map((d) => [d, [] as Measurement[]]));
  const baselines: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\nround ${round}:`);
    // Each round starts with a different contestant, so that what the machine is still
    // doing from the last run falls on each in turn.
    const shift = (round - 1) % contestants.length;
    for (const [contestant, dialect] of [
      ...contestants.slice(shift),
      ...contestants.slice(0, shift),
    ]) {
      const result = await withDatabase(dialect, "deliver", (db) =>
        runEndToEnd(contestant, db, load),
      );
      if (result.signatures.failed > 0 || result.signatures.verified === 0) {
        throw new Error(
          `${contestant}: deliveries whose signatures do not verify (${result.signatures.verified} verified, ${result.signatures.failed} failed)`,
        );
      }
      endToEnd.get(contestant)?.push(result);
      console.log(describeResult(contestant, result));
    }
    if (values["no-backlog"]) continue;
    for (const dialect of dialects) {
      const backlog = await withDatabase(dialect, "backlog", (db) => runBacklog(db.url, load));
      backlogs.get(dialect)?.push(backlog);
      console.log(`  backlog, ${dialect}: ${backlog.perSecond.toFixed(0)} deliveries/s`);
    }
    const baseline = await runBaseline(load);
    baselines.push(baseline);
    console.log(`  baseline: ${baseline.perSecond.toFixed(0)} deliveries/s`);
  }
  printEndToEnd(endToEnd);
  if (!values["no-backlog"]) {
    const baseline = medianMeasurement(baselines);
    console.log(`\nbacklog against the baseline — medians of ${ROUNDS} rounds`);
    for (const [dialect, rounds] of backlogs) {
      const backlog = medianMeasurement(rounds);
      console.log(describeRate(`${dialect}`, backlog));
      console.log(describeCpu(`${dialect}`, backlog));
      console.log(
        `ratio      ${(backlog.perSecond / baseline.perSecond).toFixed(2)}× the baseline's deliveries/s (rounds: ${rounds
          .map((r, i) => `${(r.perSecond / (baselines[i]?.perSecond ?? 1)).toFixed(2)}×`)
          .join(", ")})`,
      );
    }
    console.log(
      `baseline   ${baseline.perSecond.toFixed(0).padStart(7)} deliveries/s, ${baseline.duplicates} duplicates`,
    );
    console.log(describeCpu("baseline", baseline));
  }
  console.log("\ntargets, in every round:");
  const targetLines = deliveryTargetLines({
    sqlite: endToEnd.get("hookyard, SQLite"),
    postgres: endToEnd.get("hookyard, PostgreSQL"),
    peer: endToEnd.get("graphile-worker peer"),
    postgresBacklog: backlogs.get("postgres"),
  });
  for (const line of targetLines) console.log(`  ${line}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
