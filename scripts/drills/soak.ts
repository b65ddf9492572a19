#!/usr/bin/env bun
/**
 * Soak: one hookyard process under the drills' mixed load (./load.ts) at a steady rate for
 * `--duration` (10 minutes by default), with a dashboard reader on the side and retention
 * keeping one minute, as a long-running instance lives. Every 5 s it samples the
 * process's resident memory (/proc/<pid>/status VmRSS; on SQLite it includes the page
 * cache, up to 64 MB, and the mmapped database file), its open file descriptors
 * (/proc/<pid>/fd), on PostgreSQL its connections (pg_stat_activity), and the queues.
 *
 * Prints RSS at start, end and peak, fds and connections at start and end, and ingest
 * p50/p99 per minute. Growth is judged after the warm-up (default: a quarter of the run,
 * at most 2 minutes), comparing the second half of what remains with the first: exits 1
 * when the peak RSS grew more than --rss-growth (default 10%), fds other than sockets
 * grew, sockets grew by more than 8, connections passed the bound below (MAX_CONNECTIONS),
 * the queues did not drain at the end, or the median minute's p99 in the second half
 * passed --p99-factor (default 2) times the first half's.
 *
 *   bun scripts/drills/soak.ts [--duration 10m] [--rate 40] [--database sqlite|postgres://…]
 *       [--warm-up 1m] [--binary]
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { parseDuration } from "../../src/config/units.ts";
import type { HookyardProcess } from "../../test/support/processes.ts";
import { MixedLoad } from "./load.ts";
import { drained, setUpRig } from "./rig.ts";

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "sqlite" },
    duration: { type: "string", default: "10m" },
    "warm-up": { type: "string" },
    rate: { type: "string", default: "40" },
    seed: { type: "string", default: "1" },
    "rss-growth": { type: "string", default: "0.1" },
    "p99-factor": { type: "string", default: "2" },
    binary: { type: "boolean", default: false },
  },
});

function durationOption(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    console.error(`--${name}: expected a duration such as 2m or 90s, got "${text}"`);
    process.exit(2);
  }
  return ms;
}
const DURATION_MS = durationOption("duration", values.duration);
// Caches, JIT, pools and the database (to its retention size) fill first; growth is
// measured after that.
const WARM_UP_MS = durationOption(
  "warm-up",
  values["warm-up"] ?? `${Math.min(120_000, Math.round(DURATION_MS / 4))}ms`,
);
const RATE = Number(values.rate);
const RSS_GROWTH = Number(values["rss-growth"]);
const P99_FACTOR = Number(values["p99-factor"]);
const SAMPLE_MS = 5_000;
/**
 * PgStore's connections (README: Limits): the pool of 6, ingestion's 4, the delivery
 * worker's 2, the one for locks, and the one LISTEN holds.
 */
const MAX_CONNECTIONS = 14;

interface Sample {
  readonly at: number;
  readonly rssKb: number;
  /** The anonymous part: JS heap, malloc (SQLite's page cache); not the mmapped file. */
  readonly anonKb: number;
  readonly fds: number;
  /** fds that are not sockets. */
  readonly otherFds: number;
  readonly connections: number | undefined;
  readonly pendingDeliveries: number;
  readonly queuedRelay: number;
}

const rig = await setUpRig({
  database: values.database,
  name: "soak",
  seed: Number(values.seed),
  receiverFailureRate: 0.05,
  binary: values.binary,
  settings: {
    // Keep a minute, pruned every 10 s: the database reaches a steady size after about
    // a minute, so memory that still grows after that is not SQLite's page cache filling.
    RETENTION: "1m",
    RETENTION_CRON: "*/10 * * * * *",
  },
});
console.log(
  `soak: ${rig.database.kind}, ${RATE} messages/s for ${DURATION_MS / 1000} s (warm-up ${WARM_UP_MS / 1000} s), hookyard from ${rig.command}`,
);

function memoryKb(pid: number): { rssKb: number; anonKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rssKb: field("VmRSS"), anonKb: field("RssAnon") };
}

/** Open fds: sockets (come and go with connections) and the rest (files, pipes…). */
function fdCounts(pid: number): { fds: number; otherFds: number } {
  const dir = `/proc/${pid}/fd`;
  let fds = 0;
  let otherFds = 0;
  for (const fd of readdirSync(dir)) {
    fds++;
    try {
      if (!readlinkSync(`${dir}/${fd}`).startsWith("socket:")) otherFds++;
    } catch {
      // closed between the listing and the readlink
    }
  }
  return { fds, otherFds };
}

/** hookyard's connections to its database, as the server sees them. */
function connectionCounter() {
  if (rig.database.kind !== "postgres") return undefined;
  const database = new URL(rig.database.url).pathname.slice(1);
  const sql = postgres(rig.database.url, { max: 1, onnotice: () => {} });
  return {
    async count(): Promise<number> {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = ${database} and application_name = 'hookyard'`;
      return row?.n ?? 0;
    },
    close: () => sql.end(),
  };
}

async function queueDepths(base: string) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const depth = (queue: string, status: string) =>
    Number(
      new RegExp(`hookyard_queue_depth\\{queue="${queue}",status="${status}"\\} (\\d+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  return {
    pendingDeliveries: depth("deliveries", "pending"),
    queuedRelay: depth("relay", "queued"),
  };
}

function record(perMinute: number[][], minute: number, ms: number): void {
  const bucket = perMinute[minute] ?? [];
  bucket.push(ms);
  perMinute[minute] = bucket;
}

function median(values: readonly number[]): number {
  return quantile(
    values.slice().sort((a, b) => a - b),
    0.5,
  );
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function soak(): Promise<number> {
  const instance: HookyardProcess = await rig.start();
  let stopping = false;
  // hookyard dying on its own is the worst finding a soak can make: say how, and stop.
  void instance.exited.then(async (code) => {
    if (stopping) return;
    console.log(`\nFAILED: hookyard exited on its own with ${code}`);
    console.log(`its warnings and errors: ${JSON.stringify(instance.logs.slice(-20))}`);
    console.log(`its stderr: ${(await instance.stderr).slice(-4_000)}`);
    process.exit(1);
  });
  const { hookId } = await rig.provision(instance);
  const connections = connectionCounter();
  const startedAt = performance.now();
  const minuteOf = () => Math.floor((performance.now() - startedAt) / 60_000);
  const latencies: number[][] = [];
  const failures: number[] = [];
  const readLatencies: number[][] = [];
  const load = new MixedLoad({
    rate: RATE,
    seed: Number(values.seed),
    baseUrl: rig.baseUrl,
    hookId,
    onAnswer(ms, status) {
      const minute = minuteOf();
      record(latencies, minute, ms);
      if (status >= 500) failures[minute] = (failures[minute] ?? 0) + 1;
    },
  });
  // A user with the dashboard and the API open: one read a second.
  let reading = true;
  const reader = (async () => {
    const pages = ["/dashboard", "/events?limit=50", "/dashboard/endpoints", "/relay/messages"];
    for (let i = 0; reading; i++) {
      const started = performance.now();
      await (await fetch(`${rig.baseUrl}${pages[i % pages.length]}`)).arrayBuffer();
      record(readLatencies, minuteOf(), performance.now() - started);
      await Bun.sleep(1_000);
    }
  })();

  const samples: Sample[] = [];
  const sample = async () => {
    samples.push({
      at: performance.now() - startedAt,
      ...memoryKb(instance.pid),
      ...fdCounts(instance.pid),
      connections: await connections?.count(),
      ...(await queueDepths(rig.baseUrl)),
    });
  };
  await sample();
  load.start();
  let reportedMinute = 0;
  while (performance.now() - startedAt < DURATION_MS) {
    await Bun.sleep(SAMPLE_MS);
    await sample();
    for (const { receiver } of rig.receivers) receiver.forget();
    if (minuteOf() > reportedMinute) {
      reportedMinute = minuteOf();
      printMinute(reportedMinute - 1, samples, latencies, failures);
    }
  }
  await load.stop();
  reading = false;
  await reader;
  // The last, partial minute.
  if (latencies[reportedMinute]) printMinute(reportedMinute, samples, latencies, failures);

  let drainedInTime = true;
  try {
    await drained(rig.baseUrl, 60_000);
  } catch {
    drainedInTime = false;
  }
  await sample();
  await connections?.close();
  stopping = true;
  const code = await instance.kill("SIGTERM");
  return verdict({ samples, latencies, readLatencies, drainedInTime, exitedWith: code, load });
}

function printMinute(minute: number, samples: Sample[], latencies: number[][], failures: number[]) {
  const sorted = (latencies[minute] ?? []).slice().sort((a, b) => a - b);
  const last = samples[samples.length - 1] as Sample;
  console.log(
    `  minute ${minute + 1}: ${sorted.length} requests, p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, ${failures[minute] ?? 0} 5xx; RSS ${(last.rssKb / 1024).toFixed(1)} MB (anonymous ${(last.anonKb / 1024).toFixed(1)} MB), ${last.fds} fds (${last.otherFds} not sockets)${last.connections === undefined ? "" : `, ${last.connections} connections`}, ${last.pendingDeliveries} deliveries pending, ${last.queuedRelay} relay queued`,
  );
}

function verdict(run: {
  samples: Sample[];
  latencies: number[][];
  readLatencies: number[][];
  drainedInTime: boolean;
  exitedWith: number;
  load: MixedLoad;
}): number {
  const { samples } = run;
  const problems: string[] = [];
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const first = samples[0] as Sample;
  const end = samples[samples.length - 1] as Sample;
  const peak = samples.reduce((a, b) => (b.rssKb > a.rssKb ? b : a));
  // After the warm-up, under load (the last sample is after the drain): halves compared.
  const measured = samples.slice(0, -1).filter((s) => s.at >= WARM_UP_MS);
  const middle = Math.floor(measured.length / 2);
  const halves = [measured.slice(0, middle), measured.slice(middle)] as const;
  const most = (part: readonly Sample[], of: (s: Sample) => number) =>
    part.reduce((n, s) => Math.max(n, of(s)), 0);
  const grew = (of: (s: Sample) => number) => [most(halves[0], of), most(halves[1], of)] as const;

  const acked = run.load.messages.filter((m) => m.acked !== undefined).length;
  console.log(
    `\nload: ${run.load.messages.length} messages sent (${run.load.requests} requests), ${acked} answered 2xx`,
  );
  const [rssBefore, rssAfter] = grew((s) => s.rssKb);
  console.log(
    `RSS: start ${mb(first.rssKb)}, end ${mb(end.rssKb)}, peak ${mb(peak.rssKb)} at ${Math.round(peak.at / 1000)} s; after the warm-up, peak ${mb(rssBefore)} in the first half, ${mb(rssAfter)} in the second`,
  );
  console.log(
    `fds: start ${first.fds} (${first.otherFds} not sockets), end ${end.fds} (${end.otherFds} not sockets)`,
  );
  if (end.connections !== undefined)
    console.log(
      `PostgreSQL connections: start ${first.connections}, end ${end.connections}, most ${most(samples, (s) => s.connections ?? 0)}`,
    );
  if (measured.length < 4)
    problems.push("too short to judge: fewer than 4 samples after the warm-up");
  if (rssAfter > rssBefore * (1 + RSS_GROWTH))
    problems.push(
      `RSS peak grew ${(((rssAfter - rssBefore) / rssBefore) * 100).toFixed(0)}% from the first half to the second (bound ${RSS_GROWTH * 100}%)`,
    );
  const [otherBefore, otherAfter] = grew((s) => s.otherFds);
  if (otherAfter > otherBefore || end.otherFds > otherBefore)
    problems.push(
      `fds other than sockets grew from ${otherBefore} to ${Math.max(otherAfter, end.otherFds)}`,
    );
  // Sockets follow the connections in flight, so a little jitter is normal; a leak is not.
  const [fdsBefore, fdsAfter] = grew((s) => s.fds);
  if (fdsAfter > fdsBefore + 8) problems.push(`fds grew from ${fdsBefore} to ${fdsAfter}`);
  // The pool opens connections as work needs them and closes idle ones, so the count moves;
  // a leak is a count past the pool's bound.
  const mostConnections = most(samples, (s) => s.connections ?? 0);
  if (mostConnections > MAX_CONNECTIONS)
    problems.push(`${mostConnections} connections, more than the pool's ${MAX_CONNECTIONS}`);

  const p99 = (l: number[] | undefined) =>
    quantile(
      (l ?? []).slice().sort((a, b) => a - b),
      0.99,
    );
  const p99s = run.latencies.map(p99);
  console.log(`ingest p99 per minute (ms): ${p99s.map((p) => p.toFixed(1)).join(", ")}`);
  console.log(
    `dashboard/API read p99 per minute (ms): ${run.readLatencies.map((l) => p99(l).toFixed(1)).join(", ")}`,
  );
  // Whole minutes after the warm-up (the last one is partial), halves compared by their
  // median minute: one noisy minute on a shared machine is not a trend, a rising p99 is.
  const judged = p99s.slice(Math.ceil(WARM_UP_MS / 60_000), -1);
  const half = Math.floor(judged.length / 2);
  const [earlier, later] = [median(judged.slice(0, half)), median(judged.slice(half))];
  if (judged.length >= 2) {
    console.log(
      `ingest p99, median minute after the warm-up: ${earlier.toFixed(1)} ms in the first half, ${later.toFixed(1)} ms in the second`,
    );
    if (later > earlier * P99_FACTOR && later - earlier > 20)
      problems.push(`p99 rose from ${earlier.toFixed(1)} ms to ${later.toFixed(1)} ms`);
  }
  if (!run.drainedInTime) problems.push("the queues did not drain within 60 s of the load's end");
  if (run.exitedWith !== 0) problems.push(`hookyard exited ${run.exitedWith} on SIGTERM`);
  console.log(problems.length === 0 ? "\nOK" : `\nFAILED: ${problems.join("; ")}`);
  return problems.length === 0 ? 0 : 1;
}

// Last, so that every declaration above is initialised when the soak runs.
let exitCode = 1;
try {
  exitCode = await soak();
} finally {
  await rig.close(false);
}
process.exit(exitCode);
