/**
 * Shared plumbing for the benchmarks: free ports, fresh databases, wrk runs and their
 * parsing. Load always comes from wrk, a separate process, never from inside the server.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "../../test/support/processes.ts";

export const root = join(import.meta.dir, "..", "..");

export interface WrkResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly requests: number;
}

export function requireWrk(): void {
  if (!Bun.which("wrk")) {
    console.error("wrk is not installed (Debian: apt-get install wrk)");
    process.exit(2);
  }
}

export function buildBinary(): void {
  const build = Bun.spawnSync(["bun", "run", "build"], {
    cwd: root,
    stdout: "ignore",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) process.exit(1);
}

export { freePort };

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await Bun.sleep(50); // the server is not listening yet: nothing to await but time
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

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly threads?: number;
  readonly script?: string;
  readonly scriptArgs?: readonly string[];
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    "wrk",
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    "--latency",
    ...(options.script ? ["-s", options.script] : []),
    options.url,
    ...(options.scriptArgs ? ["--", ...options.scriptArgs] : []),
  ];
  const child = Bun.spawn(args, { stdout: "pipe", stderr: "inherit" });
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

export const describeResult = (label: string, r: WrkResult) =>
  `${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.requests} requests, ${r.errors} errors`;

export interface Database {
  readonly kind: "sqlite" | "postgres";
  readonly url: string;
  drop(): Promise<void>;
}

let sqliteFiles = 0;

/**
 * A fresh SQLite file under `dir`, or a fresh PostgreSQL database on `postgresUrl`'s
 * server; `drop` deletes it.
 */
export async function freshDatabase(
  kind: "sqlite" | "postgres",
  name: string,
  dir: string,
  postgresUrl: string,
): Promise<Database> {
  if (kind === "sqlite") {
    // A new file each time: rounds that share a name must not find the last round's rows.
    const file = join(dir, `${name}-${Date.now()}-${++sqliteFiles}.db`);
    return {
      kind,
      url: `sqlite:${file}`,
      async drop() {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      },
    };
  }
  const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  const database = `hookyard_bench_${name}_${Date.now()}`;
  await admin.unsafe(`create database ${database}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return {
    kind,
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

/** Runs the compiled hookyard with `env` until `body` is done, then stops it with SIGTERM. */
/**
 * The compiled binary; or, when HOOKYARD_BENCH_RUNNER names a command (say
 * `bun --cpu-prof-md --cpu-prof-dir=/tmp/prof`), src/main.ts run by it, to profile hookyard
 * under a benchmark's own load.
 */
function hookyardCommand(): string[] {
  const runner = process.env.HOOKYARD_BENCH_RUNNER?.trim();
  return runner
    ? [...runner.split(/\s+/), join(root, "src", "main.ts")]
    : [join(root, "dist", "hookyard")];
}

export async function withHookyard<T>(
  env: Record<string, string>,
  body: (base: string, pid: number) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const child = Bun.spawn([...hookyardCommand(), "serve"], {
    cwd: root,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      // keep the retention job out of the measurement
      RETENTION_CRON: "0 0 1 1 *",
      ...env,
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/healthz`);
    return await body(base, child.pid);
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, Bun ${Bun.version}`;
}

/** Linux's clock ticks per second for /proc times (USER_HZ): 100 on every common build. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a live process has used, in µs, from /proc; 0 where unreadable. */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1_000_000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time all PostgreSQL server processes have used, in µs: the backends serving hookyard
 * and the server's own (WAL writer, checkpointer…), which its work also keeps busy. Only
 * meaningful when the server runs on this machine, as in these benchmarks.
 */
export function postgresCpuMicros(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") {
        total += processCpuMicros(Number(entry));
      }
    } catch {
      // the process has exited meanwhile
    }
  }
  return total;
}

/** A live process's resident memory (VmRSS) in MB, from /proc; 0 where unreadable. */
export function residentMegabytes(pid: number): number {
  return procStatusMegabytes(pid, "VmRSS");
}

/** The most resident memory a live process has had (VmHWM, its high-water mark), in MB. */
export function peakResidentMegabytes(pid: number): number {
  return procStatusMegabytes(pid, "VmHWM");
}

function procStatusMegabytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** This process's own CPU time (user + system), in µs. */
export function ownCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * Starts measuring the CPU time of each named source (one of the readers above); the
 * function returned gives each one's µs per unit of work done since.
 */
export function cpuMeter(
  sources: Readonly<Record<string, () => number>>,
): (units: number) => Record<string, number> {
  const before = new Map(Object.entries(sources).map(([name, read]) => [name, read()]));
  return (units) =>
    Object.fromEntries(
      Object.entries(sources).map(([name, read]) => [
        name,
        (read() - (before.get(name) ?? 0)) / Math.max(1, units),
      ]),
    );
}

/**
 * Runs a benchmark's own server (`argv`, which listens on `port`) until `body` is done, then
 * stops it with SIGTERM; `/healthz` answering is the sign that it is ready.
 */
export async function withServerProcess<T>(
  argv: readonly string[],
  port: number,
  body: (base: string, pid: number) => Promise<T>,
): Promise<T> {
  const child = Bun.spawn([...argv], { stdout: "ignore", stderr: "inherit" });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/healthz`);
    return await body(base, child.pid);
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

/** Background processes of PostgreSQL that any database's writes keep busy. */
const SHARED_POSTGRES_PROCESSES = ["walwriter", "checkpointer", "background writer"];

/**
 * Starts measuring the CPU time PostgreSQL spends for one database: its backends (those
 * connected when the measurement ends; ones that connect meanwhile count from zero) and the
 * WAL writer, checkpointer and background writer. Narrower than `postgresCpuMicros`, so
 * other databases' work on the same server stays out, except in the shared processes.
 * The function returned gives the µs spent since.
 */
export function databaseCpuMeter(adminUrl: string, database: string): () => Promise<number> {
  const before = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry)) before.set(Number(entry), processCpuMicros(Number(entry)));
  }
  return async () => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
         where datname = ${database} or backend_type in ${admin(SHARED_POSTGRES_PROCESSES)}`;
      return rows.reduce((sum, { pid }) => sum + processCpuMicros(pid) - (before.get(pid) ?? 0), 0);
    } finally {
      await admin.end();
    }
  };
}
