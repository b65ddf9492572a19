/**
 * A webhook receiver to point hookyard endpoints at while trying things out: it verifies
 * each delivery's Standard Webhooks signature with svix's own library (what a real
 * receiver would use), prints one line per message, notices redeliveries, and fails on
 * demand so that retries, Retry-After and failed deliveries can be watched. `--verbose`
 * prints each request as it arrived, for writing a receiver of one's own against it.
 *
 *   bun scripts/consumer.ts --port 9000 --secret whsec_… [--fail-rate 0.3] [--status 503]
 *                           [--delay 2s] [--retry-after 1] [--host 0.0.0.0] [--quiet] [--verbose]
 */
import { parseArgs } from "node:util";
import { Webhook } from "svix";
import { parseDuration } from "../src/config/units.ts";

export interface ConsumerOptions {
  readonly port: number;
  readonly host: string;
  /** `whsec_…`; undefined → requests are not verified. */
  readonly secret: string | undefined;
  /** Fraction of verified requests answered with `failStatus`, 0 to 1. */
  readonly failRate: number;
  readonly failStatus: number;
  /** Wait before answering, ms. */
  readonly delayMs: number;
  /** Seconds, sent as Retry-After on simulated failures. */
  readonly retryAfterSeconds: number | undefined;
  /** Print only the startup line and rejected requests. */
  readonly quiet: boolean;
  /** Print each request whole (method, path, headers, body) before its line. */
  readonly verbose?: boolean;
}

export interface ConsumerIo {
  readonly log: (line: string) => void;
  /** Decides simulated failures; injectable so tests are deterministic. */
  readonly random?: () => number;
}

/** Enough to notice redeliveries in a long session without growing forever. */
const REMEMBERED_IDS = 100_000;
const PREVIEW_LENGTH = 120;

export const USAGE = `usage: bun scripts/consumer.ts [--port 9000] [--host 127.0.0.1] [--secret whsec_…]
       [--fail-rate 0-1] [--status 500] [--delay 250ms|2s] [--retry-after SECONDS] [--quiet] [--verbose]`;

/** The request handler: verify, remember, maybe wait, maybe fail, answer. */
export function createConsumerHandler(options: ConsumerOptions, io: ConsumerIo) {
  const webhook = options.secret === undefined ? undefined : new Webhook(options.secret);
  const random = io.random ?? Math.random;
  /** webhook-id → times received (insertion order doubles as age for eviction). */
  const seen = new Map<string, number>();

  return async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return json(405, { error: "send webhooks with POST" });
    const body = await request.text();
    const id = request.headers.get("webhook-id") ?? "(no webhook-id)";
    const time = new Date().toISOString();
    // Before verifying, so a request that fails the check can be read too.
    if (options.verbose) io.log(describeRequest(request, body));

    if (webhook !== undefined) {
      try {
        webhook.verify(body, Object.fromEntries(request.headers));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        io.log(`${time} ${id} rejected: ${reason} → 401`);
        return json(401, { error: `signature verification failed: ${reason}` });
      }
    }

    const times = (seen.get(id) ?? 0) + 1;
    seen.delete(id);
    seen.set(id, times);
    if (seen.size > REMEMBERED_IDS) seen.delete(seen.keys().next().value as string);

    if (options.delayMs > 0) await Bun.sleep(options.delayMs);
    const fail = random() < options.failRate;
    const status = fail ? options.failStatus : 200;
    if (!options.quiet) {
      const redelivery = times > 1 ? ` (redelivery: seen ${times} times)` : "";
      io.log(
        `${time} ${id} ${describeMessage(body)} → ${status}${fail ? " simulated failure" : ""}${redelivery}`,
      );
    }
    if (!fail) return json(200, { ok: true });
    const headers: Record<string, string> =
      options.retryAfterSeconds === undefined
        ? {}
        : { "retry-after": String(options.retryAfterSeconds) };
    return json(status, { error: "simulated failure" }, headers);
  };
}

/** The request as it arrived: `POST /path`, one `name: value` line per header, the body. */
function describeRequest(request: Request, body: string): string {
  const url = new URL(request.url);
  const headers = [...request.headers].map(([name, value]) => `${name}: ${value}`);
  return [`${request.method} ${url.pathname}${url.search}`, ...headers, "", body, ""].join("\n");
}

/** `type {data preview}`, one line, whatever the body holds. */
function describeMessage(body: string): string {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return `(not JSON, ${body.length} characters)`;
  }
  if (typeof message !== "object" || message === null) return "(not a {type, data} message)";
  const { type, data } = message as { type?: unknown; data?: unknown };
  const preview = JSON.stringify(data ?? null);
  const short = preview.length > PREVIEW_LENGTH ? `${preview.slice(0, PREVIEW_LENGTH)}…` : preview;
  return `${typeof type === "string" ? type : "(no type)"} ${short}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** The options from the command line, or a one-line error naming the bad flag. */
export function parseConsumerArgs(argv: readonly string[]): ConsumerOptions | { error: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string", default: "9000" },
        host: { type: "string", default: "127.0.0.1" },
        secret: { type: "string" },
        "fail-rate": { type: "string", default: "0" },
        status: { type: "string", default: "500" },
        delay: { type: "string", default: "0ms" },
        "retry-after": { type: "string" },
        quiet: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const text = (name: string) => String(values[name] ?? "");
  const port = Number(text("port"));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return { error: `--port: expected an integer 0-65535, got "${text("port")}"` };
  }
  const failRate = Number(text("fail-rate"));
  if (text("fail-rate") === "" || !(failRate >= 0 && failRate <= 1)) {
    return { error: `--fail-rate: expected a number from 0 to 1, got "${text("fail-rate")}"` };
  }
  const failStatus = Number(text("status"));
  if (!Number.isInteger(failStatus) || failStatus < 300 || failStatus > 599) {
    return { error: `--status: expected an HTTP status 300-599, got "${text("status")}"` };
  }
  const delayMs = parseDuration(text("delay"));
  if (delayMs === undefined) {
    return { error: `--delay: expected a duration like 250ms or 2s, got "${text("delay")}"` };
  }
  const retryAfter = values["retry-after"];
  if (retryAfter !== undefined && !/^\d+$/.test(String(retryAfter))) {
    return { error: `--retry-after: expected whole seconds, got "${String(retryAfter)}"` };
  }
  const secret = values.secret === undefined ? undefined : String(values.secret);
  if (secret !== undefined) {
    try {
      new Webhook(secret);
    } catch {
      return { error: "--secret: expected whsec_ followed by base64" };
    }
  }
  return {
    port,
    host: text("host"),
    secret,
    failRate,
    failStatus,
    delayMs,
    retryAfterSeconds: retryAfter === undefined ? undefined : Number(retryAfter),
    quiet: values.quiet === true,
    // Left out unless asked: options built by hand without the field stay equal to these.
    ...(values.verbose === true ? { verbose: true } : {}),
  };
}

if (import.meta.main) {
  const argv = Bun.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  const options = parseConsumerArgs(argv);
  if ("error" in options) {
    console.error(options.error);
    console.error(USAGE);
    process.exit(2);
  }
  if (options.secret === undefined) {
    console.error("warning: no --secret given: signatures are NOT verified");
  }
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    fetch: createConsumerHandler(options, { log: (line) => console.log(line) }),
  });
  const failing =
    options.failRate > 0 ? `, failing ${options.failRate * 100}% with ${options.failStatus}` : "";
  const verifying = options.secret === undefined ? "not verifying" : "verifying signatures";
  console.log(`consumer listening on ${server.url.href} (${verifying}${failing})`);
}
