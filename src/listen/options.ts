/**
 * `hookyard listen`'s command line, read into options or a one-line error naming the
 * option. Pure: the environment comes in as an argument.
 */
import { parseArgs } from "node:util";
import { parseDuration } from "../config/units.ts";

export interface ListenOptions {
  /** The hookyard to listen to: its base URL, as given (GET /events/stream is under it). */
  readonly from: string;
  /** Its ADMIN_TOKEN, sent as a bearer token; undefined for a hookyard without one. */
  readonly token: string | undefined;
  /** Where each event is sent again. */
  readonly forward: string;
  readonly source: string | undefined;
  /** An exact type, `prefix.*` or `*`, as GET /events/stream reads it. */
  readonly type: string | undefined;
  /** Replay the events stored this long before the start first, in ms. */
  readonly replaySinceMs: number | undefined;
}

export type ListenArgs =
  | { readonly kind: "listen"; readonly options: ListenOptions }
  | { readonly kind: "help" }
  | { readonly kind: "usage-error"; readonly message: string };

/** The variable the token is read from when --token is not given (it stays out of `ps`). */
export const TOKEN_VARIABLE = "HOOKYARD_TOKEN";

const OPTIONS = {
  from: { type: "string" },
  token: { type: "string" },
  forward: { type: "string" },
  source: { type: "string" },
  type: { type: "string" },
  "replay-since": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `argv` is what follows `listen`. */
export function parseListenArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ListenArgs {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    return usageError(argsProblem(error as Error & { code?: string }));
  }
  if (values.help) return { kind: "help" };
  const from = readUrl("--from", values.from, "the hookyard to listen to");
  if (typeof from !== "string") return from;
  const forward = readUrl("--forward", values.forward, "the local URL to send events to");
  if (typeof forward !== "string") return forward;
  const token = values.token ?? env[TOKEN_VARIABLE];
  if (token !== undefined && token.trim() === "") {
    return usageError(`${values.token === undefined ? TOKEN_VARIABLE : "--token"}: empty`);
  }
  for (const name of ["source", "type"] as const) {
    if (values[name] === "") return usageError(`--${name}: empty`);
  }
  const replaySince = values["replay-since"];
  const replaySinceMs = replaySince === undefined ? undefined : parseDuration(replaySince);
  if (replaySince !== undefined && (replaySinceMs === undefined || replaySinceMs <= 0)) {
    return usageError(
      `--replay-since: expected a duration such as 30m, 1h or 2d, got "${replaySince}"`,
    );
  }
  return {
    kind: "listen",
    options: {
      from,
      token: token?.trim(),
      forward,
      source: values.source,
      type: typeUnderSource(values.type, values.source),
      replaySinceMs,
    },
  };
}

/**
 * A source's events are typed `<source>.<type>`: with `--source stripe-live`, `--type
 * 'invoice.*'` means `stripe-live.invoice.*`, as the provider names its types. A type
 * that names the source already, or `*`, is taken as it is.
 */
export function typeUnderSource(
  type: string | undefined,
  source: string | undefined,
): string | undefined {
  if (type === undefined || source === undefined || type === "*") return type;
  return type.startsWith(`${source}.`) ? type : `${source}.${type}`;
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

/** node:util's messages, shortened to name the option and what is wrong with it. */
function argsProblem(error: Error & { code?: string }): string {
  const quoted = /'([^' ]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option "${quoted}"`;
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `unexpected argument "${quoted}"`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) {
    return `${quoted}: expected a value`;
  }
  return error.message;
}

function readUrl(
  option: string,
  text: string | undefined,
  what: string,
): string | { kind: "usage-error"; message: string } {
  if (text === undefined) return usageError(`${option}: required: ${what}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return usageError(`${option}: expected an http:// or https:// URL, got "${text}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return usageError(`${option}: expected an http:// or https:// URL, got "${text}"`);
  }
  return url.href;
}

function usageError(message: string): { kind: "usage-error"; message: string } {
  return { kind: "usage-error", message };
}
