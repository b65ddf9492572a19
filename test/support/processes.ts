/**
 * hookyard as a real process (`bun src/main.ts`, or the compiled dist/hookyard), for tests
 * and drills that kill it with SIGKILL or run several instances side by side. Its JSON log
 * lines are parsed as they arrive, so callers await what it logged instead of sleeping.
 */
import { join } from "node:path";
import { type LogEntry, withTimeout } from "./receiver.ts";

export const root = join(import.meta.dir, "..", "..");

/** How to run hookyard: from source with bun, or the compiled binary (`bun run build`). */
export type HookyardCommand = "source" | "binary";

function commandLine(command: HookyardCommand, args: readonly string[]): string[] {
  return command === "binary"
    ? [join(root, "dist", "hookyard"), ...args]
    : ["bun", join(root, "src", "main.ts"), ...args];
}

export interface HookyardProcess {
  readonly url: string;
  readonly pid: number;
  /** Parsed log lines, those `retain` kept. */
  readonly logs: LogEntry[];
  /** Attempts this instance logged as delivered (when delivery attempts are retained). */
  delivered(): number;
  readonly exited: Promise<number>;
  /** Everything it wrote to stderr, once it exited. */
  readonly stderr: Promise<string>;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<number>;
}

export interface HookyardOptions {
  readonly databaseUrl: string;
  /** Settings (environment variables) on top of loopback, the port and LOG_LEVEL=info. */
  readonly settings?: Record<string, string>;
  readonly command?: HookyardCommand;
  /** Which parsed log lines to keep in `logs`; all by default. Long runs keep few. */
  readonly retain?: (entry: LogEntry) => boolean;
  readonly startTimeoutMs?: number;
  /** A fixed port, so a restarted instance answers where the killed one did. */
  readonly port?: number;
}

/** Conditions over every child's logs, checked whenever any child logs a line. */
const logWaiters: { done: () => boolean; resolve: () => void }[] = [];

function onLogLine(): void {
  for (const waiter of logWaiters.filter((w) => w.done())) {
    logWaiters.splice(logWaiters.indexOf(waiter), 1);
    waiter.resolve();
  }
}

/** Resolves once `done()` holds, re-checked after each line any child logs. */
export function untilLogged(
  done: () => boolean,
  what: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  if (done()) return Promise.resolve();
  const waiter = { done, resolve: () => {} };
  const logged = new Promise<void>((resolve) => {
    waiter.resolve = resolve;
    logWaiters.push(waiter);
  });
  return withTimeout(logged, timeoutMs, what).finally(() => {
    if (logWaiters.includes(waiter)) logWaiters.splice(logWaiters.indexOf(waiter), 1);
  });
}

export const isDelivered = (entry: LogEntry) =>
  entry.msg === "delivery attempt" && entry.outcome === "delivered";

export async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/** `hookyard serve` in a child process; resolves once it logs that it listens. */
export async function startHookyard(options: HookyardOptions): Promise<HookyardProcess> {
  const { instance, listening } = await spawnHookyard(options);
  await listening;
  return instance;
}

/**
 * `hookyard serve` in a child process, returned at once (to kill it during start-up);
 * `listening` resolves once it logs that it listens, and rejects if it exits before.
 */
export async function spawnHookyard(
  options: HookyardOptions,
): Promise<{ instance: HookyardProcess; listening: Promise<void> }> {
  const port = options.port ?? (await freePort());
  const retain = options.retain ?? (() => true);
  const child = Bun.spawn(commandLine(options.command ?? "source", ["serve"]), {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: "info",
      ...options.settings,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: LogEntry[] = [];
  let listening = false;
  const stderr = new Response(child.stderr).text();
  (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as LogEntry;
        if (entry.msg === "hookyard is listening") listening = true;
        if (retain(entry)) logs.push(entry);
      }
      onLogLine();
    }
  })();
  const instance: HookyardProcess = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    logs,
    delivered: () => logs.filter(isDelivered).length,
    exited: child.exited,
    stderr,
    async kill(signal) {
      child.kill(signal);
      return child.exited;
    },
  };
  const started = untilLogged(
    () => listening,
    () => "hookyard did not start",
    options.startTimeoutMs,
  );
  const exited = child.exited.then(async (code) => {
    throw new Error(`hookyard exited with ${code} before listening: ${await stderr}`);
  });
  return { instance, listening: Promise.race([started, exited]) };
}

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a one-shot command (`migrate`, `prune …`) to completion. */
export async function runHookyard(
  args: readonly string[],
  env: Record<string, string>,
  command: HookyardCommand = "source",
): Promise<CommandRun> {
  const child = Bun.spawn(commandLine(command, args), {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

/** A JSON request to a running instance; throws on anything but 2xx. */
export async function api(instance: { url: string }, path: string, body?: unknown) {
  const response = await fetch(`${instance.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}
