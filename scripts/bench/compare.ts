/** Runs one ingest workload against hookyard and the baseline on each database and prints a table. */
import { join } from "node:path";
import {
  cpuMeter,
  type Database,
  describeResult,
  freePort,
  freshDatabase,
  machineLine,
  median,
  postgresCpuMicros,
  processCpuMicros,
  runWrk,
  type WrkResult,
  waitFor,
  withHookyard,
} from "./lib.ts";

export interface Comparison {
  readonly title: string;
  readonly work: string;
  readonly postgres: string;
  /** False to measure PostgreSQL only. */
  readonly sqlite: boolean;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly path: string;
  readonly env: Record<string, string>;
  readonly script: string;
  readonly scriptArgs: readonly string[];
  /** Measurements of each side; the table shows their medians. */
  readonly rounds: number;
}

/** Each figure's median over the rounds. */
const medianResult = (results: readonly WrkResult[]): WrkResult => ({
  rps: median(results.map((r) => r.rps)),
  p50: median(results.map((r) => r.p50)),
  p99: median(results.map((r) => r.p99)),
  errors: results.reduce((sum, r) => sum + r.errors, 0),
  requests: results.reduce((sum, r) => sum + r.requests, 0),
});

export async function compareWithBaseline(c: Comparison): Promise<void> {
  const rows: string[] = [];
  const verdicts: string[] = [];
  let runs = 0;
  const load = async (url: string, seconds: number, connections: number) =>
    runWrk({
      url,
      connections,
      durationSeconds: seconds,
      script: c.script,
      // Scripts that make ids unique per request take the run number as their last argument.
      scriptArgs: [...c.scriptArgs, String(++runs)],
    });
  /** Also prints the CPU time per request of the server process and of PostgreSQL. */
  const measured = async (
    label: string,
    url: string,
    pid: number,
    kind: "sqlite" | "postgres",
  ): Promise<WrkResult> => {
    await load(url, 2, 8); // warm-up: JIT, pools and caches in their steady state
    const cpuPerRequest = cpuMeter({
      server: () => processCpuMicros(pid),
      ...(kind === "postgres" ? { PostgreSQL: postgresCpuMicros } : {}),
    });
    const result = await load(url, c.durationSeconds, c.connections);
    const cpu = Object.entries(cpuPerRequest(result.requests))
      .map(([name, us]) => `${name} ${us.toFixed(0)} µs`)
      .join(", ");
    console.log(`${describeResult(`  ${label}`, result)}; CPU per request: ${cpu}`);
    if (result.errors > 0) throw new Error(`${label}: ${result.errors} responses were not 2xx`);
    return result;
  };
  const runHookyard = (kind: "sqlite" | "postgres", db: Database) =>
    withHookyard({ DATABASE_URL: db.url, ...c.env }, (base, pid) =>
      measured("hookyard", `${base}${c.path}`, pid, kind),
    );
  const runBaseline = async (kind: "sqlite" | "postgres", db: Database) => {
    const port = await freePort();
    const baselineProcess = Bun.spawn(
      ["bun", join(import.meta.dir, "baseline-ingest.ts"), String(port), db.url],
      { stdout: "ignore", stderr: "inherit" },
    );
    try {
      await waitFor(`http://127.0.0.1:${port}/`);
      return await measured(
        "baseline",
        `http://127.0.0.1:${port}${c.path}`,
        baselineProcess.pid,
        kind,
      );
    } finally {
      baselineProcess.kill("SIGTERM");
      await baselineProcess.exited;
    }
  };
  /**
   * One round. Which side goes first alternates from round to round: whatever the machine
   * is still doing when a round starts (writing back the files of the last run, say) then
   * falls on each side in turn.
   */
  const once = async (kind: "sqlite" | "postgres", round: number) => {
    const hookyardDb = await freshDatabase(kind, "hookyard", c.work, c.postgres);
    const baselineDb = await freshDatabase(kind, "baseline", c.work, c.postgres);
    try {
      let hookyard: WrkResult;
      let baseline: WrkResult;
      if (round % 2 === 0) {
        hookyard = await runHookyard(kind, hookyardDb);
        baseline = await runBaseline(kind, baselineDb);
      } else {
        baseline = await runBaseline(kind, baselineDb);
        hookyard = await runHookyard(kind, hookyardDb);
      }
      const ratios = roundRatios(hookyard, baseline);
      console.log(
        `  ratio: ${ratios.rps.toFixed(2)}x the baseline's throughput, p99 ${ratios.p99.toFixed(2)}x the baseline's`,
      );
      return { hookyard, baseline, ratios };
    } finally {
      await hookyardDb.drop();
      await baselineDb.drop();
    }
  };
  const kinds = [
    ...(c.sqlite ? (["sqlite"] as const) : []),
    ...(c.postgres ? (["postgres"] as const) : []),
  ];
  for (const kind of kinds) {
    console.log(
      `\n${kind}: ${c.title}, ${c.connections} connections, ${c.durationSeconds}s, ${c.rounds} rounds`,
    );
    // Rounds alternate hookyard and the baseline, each on fresh databases: on a shared
    // machine one run can be 15% off the next, and the median of each side is steadier.
    const results = [];
    for (let round = 0; round < c.rounds; round++) results.push(await once(kind, round));
    verdicts.push(`${kind}: ${targetVerdict(results.map((r) => r.ratios))}`);
    const hookyard = medianResult(results.map((r) => r.hookyard));
    const baseline = medianResult(results.map((r) => r.baseline));
    const ratio = hookyard.rps / baseline.rps;
    rows.push(
      `| ${kind} | ${hookyard.rps.toFixed(0)} | ${hookyard.p50.toFixed(1)} | ${hookyard.p99.toFixed(1)} | ${baseline.rps.toFixed(0)} | ${baseline.p50.toFixed(1)} | ${baseline.p99.toFixed(1)} | ${ratio.toFixed(2)}x |`,
    );
  }
  console.log(`\n${c.title} — ${machineLine()}; medians of ${c.rounds} rounds`);
  console.log(
    "| database | hookyard req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log(
    `\ntargets (every round: p99 ≤ ${TARGET.p99}x the baseline's, throughput ≥ ${TARGET.rps}x):`,
  );
  for (const verdict of verdicts) console.log(`  ${verdict}`);
}

/** What ingest should reach against the bare baseline, in every round, not just the median. */
const TARGET = { p99: 1.2, rps: 1.0 } as const;

interface RoundRatios {
  /** hookyard's throughput over the baseline's: higher is better. */
  readonly rps: number;
  /** hookyard's p99 over the baseline's: lower is better. */
  readonly p99: number;
}

const roundRatios = (hookyard: WrkResult, baseline: WrkResult): RoundRatios => ({
  rps: hookyard.rps / baseline.rps,
  p99: hookyard.p99 / baseline.p99,
});

/** "met", or the rounds that missed and by how much. */
function targetVerdict(rounds: readonly RoundRatios[]): string {
  const misses = rounds.flatMap((r, i) => {
    const missed = [
      ...(r.p99 > TARGET.p99 ? [`p99 ${r.p99.toFixed(2)}x`] : []),
      ...(r.rps < TARGET.rps ? [`throughput ${r.rps.toFixed(2)}x`] : []),
    ];
    return missed.length > 0 ? [`round ${i + 1} (${missed.join(", ")})`] : [];
  });
  return misses.length === 0 ? "met" : `missed in ${misses.join("; ")}`;
}
