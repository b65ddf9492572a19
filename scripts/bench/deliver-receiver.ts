/**
 * The delivery benchmark's receiver, shared by hookyard, the peer and the baseline: it
 * answers 200 at once and notes each arrival; latencies, duplicates and signatures are
 * worked out afterwards, so the receiver costs every side the same.
 */
import { Webhook } from "standardwebhooks";

export interface Receiver {
  readonly url: string;
  /** Resolves when `expected` deliveries have arrived. */
  readonly done: Promise<void>;
  readonly arrivals: number[];
  readonly bodies: string[];
  readonly paths: string[];
  readonly headers: Record<string, string>[];
  stop(): void;
}

export function startReceiver(expected: number): Receiver {
  const arrivals: number[] = [];
  const bodies: string[] = [];
  const paths: string[] = [];
  const headers: Record<string, string>[] = [];
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = await request.text();
      arrivals.push(Date.now());
      bodies.push(body);
      paths.push(new URL(request.url).pathname);
      headers.push({
        "webhook-id": request.headers.get("webhook-id") ?? "",
        "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
        "webhook-signature": request.headers.get("webhook-signature") ?? "",
      });
      if (arrivals.length === expected) finish();
      return new Response("ok");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    done,
    arrivals,
    bodies,
    paths,
    headers,
    stop: () => server.stop(true),
  };
}

export interface Measurement {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly duplicates: number;
  readonly seconds: number;
  /** CPU time per delivery in µs, by process, where measured. */
  readonly cpu?: Readonly<Record<string, number>>;
}

/**
 * Rate and latency quantiles; `startOf` gives, from a delivery's body, the time (ms since
 * the epoch) its latency is counted from, and the earliest of them starts the clock.
 */
export function measure(receiver: Receiver, startOf: (body: string) => number): Measurement {
  const startedAt = receiver.bodies.map(startOf);
  const latencies = receiver.arrivals
    .map((at, i) => at - (startedAt[i] as number))
    .sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  // Loops, not Math.min(...array): a spread of 100,000 arguments can overflow the stack.
  const start = startedAt.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const end = receiver.arrivals.reduce((a, b) => Math.max(a, b), 0);
  const seconds = (end - start) / 1000;
  const keys = receiver.paths.map((path, i) => `${path} ${receiver.headers[i]?.["webhook-id"]}`);
  return {
    perSecond: receiver.arrivals.length / seconds,
    p50: quantile(0.5),
    p99: quantile(0.99),
    duplicates: keys.length - new Set(keys).size,
    seconds,
  };
}

/** The body's `timestamp`: when the event was stored. */
export const storedAt = (body: string) => Date.parse(JSON.parse(body).timestamp);

/**
 * Checks every delivery's signature with the Standard Webhooks library, the way a receiver
 * would, against the secret of the endpoint it came to (`/e<k>` → `secrets[k]`). Deliveries
 * signed more than four minutes ago are left out, as the library would refuse them as stale.
 */
export function verifySignatures(
  receiver: Receiver,
  secrets: readonly string[],
): { verified: number; failed: number } {
  const webhooks = secrets.map((secret) => new Webhook(secret));
  const freshAfter = Date.now() / 1000 - 240;
  let verified = 0;
  let failed = 0;
  receiver.bodies.forEach((body, i) => {
    const headers = receiver.headers[i] ?? {};
    if (Number(headers["webhook-timestamp"]) < freshAfter) return;
    const webhook = webhooks[Number(receiver.paths[i]?.slice("/e".length))];
    try {
      if (!webhook) throw new Error("no such endpoint");
      webhook.verify(body, headers);
      verified++;
    } catch (error) {
      failed++;
      if (failed === 1) {
        console.error(
          `  a signature did not verify (${(error as Error).message}): ${receiver.paths[i]} ${JSON.stringify(headers)} ${body.slice(0, 200)}`,
        );
      }
    }
  });
  return { verified, failed };
}

/** Prints progress while a long wait runs, so a stalled run is visible. */
export async function withProgress(
  label: string,
  receiver: Receiver,
  expected: number,
): Promise<void> {
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`  ${label}: ${receiver.arrivals.length}/${expected} delivered after ${seconds}s`);
  }, 15_000);
  try {
    await receiver.done;
  } finally {
    clearInterval(timer);
  }
}

/** Spreads `total` jobs over `workers` loops, each awaiting its own request. */
export async function inParallel(
  total: number,
  workers: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await job(next++);
    }),
  );
}
