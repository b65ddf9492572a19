#!/usr/bin/env bun
/**
 * The hookyard command line: `serve` (default), `migrate`, `prune`, `listen`, `--help`,
 * `--version`, `--config FILE`. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad
 * settings.
 */
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { settingsHelp } from "./config/help.ts";
import { parseDuration } from "./config/units.ts";
import { type Config, ConfigError, loadConfig, readConfigFile } from "./config.ts";
import type { AppContext } from "./context.ts";
import { Aborted } from "./lib/abortable.ts";
import { timeLimit } from "./lib/time-limit.ts";
import { type ListenOptions, parseListenArgs, runListen, TOKEN_VARIABLE } from "./listen/index.ts";
import { createLogger, flushLogs } from "./ops/log.ts";
import { createMetrics } from "./ops/metrics.ts";
import { pruneOnce } from "./ops/retention.ts";
import { ABANDONED_START_CLOSE_MS, type RunningServer, startServer } from "./server.ts";
import { checkConnection, openStore } from "./store/open.ts";

const USAGE = `hookyard ${pkg.version}: a self-hosted webhook hub

Usage:
  hookyard [serve]                       migrate, then serve HTTP, deliveries, relay and retention
  hookyard migrate                       apply pending database migrations and exit
  hookyard prune [--older-than 7d]       delete what is past retention once and exit
  hookyard listen --from URL --forward URL [--token TOKEN] [--source NAME]
                 [--type PATTERN] [--replay-since DUR]
                                         send a hookyard's events on to a local URL as they
                                         come, with their headers and body (Ctrl-C stops)
  hookyard help [settings]               this text, or each setting's default and meaning
  hookyard --help | --version | -V

Options:
  --config FILE        read settings from a TOML file (keys are the settings in lower case);
                       environment variables win over it
  --older-than DUR     with prune: the age to prune past (default: RETENTION)

Listen options:
  --from URL           the hookyard to read GET /events/stream from
  --forward URL        where each event is POSTed again, one at a time, in order
  --token TOKEN        that hookyard's ADMIN_TOKEN (default: the ${TOKEN_VARIABLE} variable)
  --source NAME        only events from this source
  --type PATTERN       only events of this type, or under a prefix: 'invoice.*' (with
                       --source, under the source's name: stripe-live.invoice.*)
  --replay-since DUR   first send the events stored in this past window (e.g. 1h), then live

Settings come from the environment (or --config). Once serving, the API's reference is at
/openapi and the dashboard at /dashboard.

Run "hookyard help settings" for each setting's default and meaning.
`;

/** Topics of `hookyard help TOPIC`. */
const HELP_TOPICS = ["settings"] as const;
type HelpTopic = (typeof HELP_TOPICS)[number];

class UsageError extends Error {}

type Command =
  | { readonly kind: "help"; readonly topic?: HelpTopic }
  | { readonly kind: "version" }
  | { readonly kind: "serve" | "migrate"; readonly configFile?: string }
  | { readonly kind: "prune"; readonly configFile?: string; readonly olderThanMs?: number }
  | { readonly kind: "listen"; readonly options: ListenOptions };

export function parseCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Command {
  // listen is a client of another hookyard, with options of its own (src/listen/options.ts).
  if (argv[0] === "listen") return listenCommand(argv.slice(1), env);
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const [name = "serve", ...extra] = positionals;
  if (name === "help") return helpCommand(extra);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const configFile = values.config;
  if (name === "serve" || name === "migrate") {
    if (values["older-than"] !== undefined) throw new UsageError("--older-than goes with prune");
    return { kind: name, ...(configFile ? { configFile } : {}) };
  }
  if (name === "prune") {
    const text = values["older-than"];
    const olderThanMs = text === undefined ? undefined : parseDuration(text);
    if (text !== undefined && (olderThanMs === undefined || olderThanMs <= 0)) {
      throw new UsageError(`--older-than: expected a duration such as 7d or 12h, got "${text}"`);
    }
    return {
      kind: "prune",
      ...(configFile ? { configFile } : {}),
      ...(olderThanMs ? { olderThanMs } : {}),
    };
  }
  throw new UsageError(`unknown command "${name}"`);
}

function listenCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command {
  const parsed = parseListenArgs(argv, env);
  if (parsed.kind === "usage-error") throw new UsageError(parsed.message);
  if (parsed.kind === "help") return { kind: "help" };
  return { kind: "listen", options: parsed.options };
}

function helpCommand(topics: readonly string[]): Command {
  const [topic, ...extra] = topics;
  if (topic === undefined) return { kind: "help" };
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!(HELP_TOPICS as readonly string[]).includes(topic)) {
    throw new UsageError(`no help on "${topic}"; topics: ${HELP_TOPICS.join(", ")}`);
  }
  return { kind: "help", topic: topic as HelpTopic };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    // -V as well as -v, as many tools spell it (parseArgs takes one short name per option).
    args: argv.map((arg) => (arg === "-V" ? "--version" : arg)),
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      config: { type: "string" },
      "older-than": { type: "string" },
    },
  });
}

async function loadSettings(configFile: string | undefined): Promise<Config> {
  let fileSettings = {};
  if (configFile !== undefined) {
    const file = Bun.file(configFile);
    if (!(await file.exists())) throw new ConfigError("--config", `no such file: ${configFile}`);
    fileSettings = readConfigFile(await file.text(), configFile);
  }
  return loadConfig(process.env, fileSettings);
}

function contextFor(config: Config): AppContext {
  const log = createLogger(config.logLevel);
  return {
    config,
    store: openStore(config.database, log),
    log,
    metrics: createMetrics(),
    version: pkg.version,
    now: () => new Date(),
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === "help") {
    process.stdout.write(command.topic === "settings" ? settingsHelp() : USAGE);
    return 0;
  }
  if (command.kind === "version") {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command.kind === "serve") return serve(command.configFile);
  if (command.kind === "listen") return runListen(command.options);
  const ctx = contextFor(await loadSettings(command.configFile));
  try {
    await checkConnection(ctx.store, ctx.config.database);
    if (command.kind === "migrate") {
      const { applied } = await ctx.store.migrate();
      process.stdout.write(
        applied.length === 0
          ? "the database is up to date\n"
          : `applied ${applied.length} migration(s): ${applied.join(", ")}\n`,
      );
    } else if (command.kind === "prune") {
      await ctx.store.migrate();
      const report = await pruneOnce(ctx, command.olderThanMs ?? ctx.config.retentionMs);
      process.stdout.write(
        report.status === "skipped"
          ? `another instance is pruning right now; nothing deleted (cutoff ${report.cutoff})\n`
          : `deleted ${report.deleted.events} event(s) and ${report.deleted.relay_messages} relay message(s) received before ${report.cutoff}\n`,
      );
    }
  } finally {
    // Bounded: a PostgreSQL pool that never connected waits out its 5 s end() timeout.
    await timeLimit(
      ctx.store.close().catch(() => {}),
      ABANDONED_START_CLOSE_MS,
      () => undefined,
    );
  }
  return 0;
}

/**
 * Signals are listened for from the first moment: one that arrives during start-up
 * (a migration waiting on another instance's lock, a database that never answers) stops
 * hookyard within a second, closing what was opened; once it serves, it stops gracefully.
 * Both are a normal stop: exit 0.
 */
async function serve(configFile: string | undefined): Promise<number> {
  const aborting = new AbortController();
  const signalled = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      aborting.abort();
      resolve(signal);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  const ctx = contextFor(await loadSettings(configFile));
  let server: RunningServer;
  try {
    server = await startServer(ctx, {}, aborting.signal);
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    ctx.log.info("signal received during start-up; stopped", { signal: await signalled });
    return 0;
  }
  ctx.log.info("signal received", { signal: await signalled });
  await server.stop();
  return 0;
}

async function main(): Promise<void> {
  try {
    const code = await run(Bun.argv.slice(2));
    flushLogs();
    process.exit(code);
  } catch (error) {
    flushLogs();
    if (error instanceof UsageError) {
      process.stderr.write(`hookyard: ${error.message}\nRun "hookyard --help" for usage.\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`hookyard: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  }
}

if (import.meta.main) await main();
