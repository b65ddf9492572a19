/**
 * JSON-line logs on stdout: one object a line, so any log shipper can read them.
 * Secrets never reach a logger call: callers log ids, not payloads or keys.
 */
import type { LogLevel } from "../config.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. a request id). */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

/**
 * Lines are batched and written once per tick: a synchronous write per request line
 * halved ingest throughput. `flushLogs` writes what is pending (before exiting).
 */
let pending: string[] = [];
let flushScheduled = false;

export function flushLogs(): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const text = `${pending.join("\n")}\n`;
  pending = [];
  process.stdout.write(text);
}

const stdoutSink: LogSink = (line) => {
  pending.push(line);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLogs);
  }
};

export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink,
  base: LogFields = {},
): Logger {
  const write = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const entry = {
      time: new Date().toISOString(),
      level: at,
      msg,
      ...base,
      ...serializable(fields),
    };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/**
 * Errors serialize to `{}` by default; keep their name, message and stack. Only the
 * top-level fields are looked at: a replacer function would run for every key of every
 * line, which costs more than the rest of the logging.
 */
function serializable(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  let copy: LogFields | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      copy ??= { ...fields };
      copy[key] = { name: value.name, message: value.message, stack: value.stack };
    }
  }
  return copy ?? fields;
}

export const silentLogger: Logger = createLogger("error", () => {});
