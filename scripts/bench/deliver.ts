#!/usr/bin/env bun
/**
 * Benchmark: outbound delivery end to end. The compiled hookyard gets `--events` triggers
 * (POST /trigger/bench.event, `--triggers` at a time), each fanned out to `--endpoints`
 * endpoints on a local consumer that answers 200 at once. The consumer notes when each
 * delivery arrives; the event's time comes from the webhook body (`timestamp`, when the
 * event was stored), so "stored → delivered" includes queueing behind the burst.
 *
 * Two measurements of hookyard:
 * - end to end: the events are triggered while deliveries go out, so deliveries/s is also
 *   bounded by how fast the triggers are stored (the two share the machine and database);
 * - backlog: the same events are stored first (through the store, as ingestion stores
 *   them), then hookyard starts and delivers them: the delivery engine alone.
 *
 * In the same run, a minimal baseline: a separate process POSTs the same number of
 * bodies, signed the same way, with the same concurrency as DELIVERY_CONCURRENCY, to the
 * same consumer, with no persistence. Its bodies are ready when it starts, like the
 * backlog's, so the ratio that compares like with like is backlog over baseline.
 *
 * On a shared 2-core machine one run can be 15% off the next: the backlog and the baseline
 * run `--rounds` times, one after the other, and the ratio is of their medians (each
 * round's ratio is printed too). End to end runs once.
 *
 *   bun scripts/bench/deliver.ts [--events 20000] [--endpoints 5] [--concurrency 32]
 *       [--triggers 16] [--payload-bytes 256] [--rounds 3] [--postgres URL] [--no-sqlite]
 *       [--no-build]
 *
 * PostgreSQL runs when --postgres or TEST_DATABASE_URL names a server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { buildDeliveryRequest } from "../../src/delivery/request.ts";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import { openStore } from "../../src/store/open.ts";
import {
  buildBinary,
  cpuMeter,
  freshDatabase,
  machineLine,
  median,
  ownCpuMicros,
  postgresCpuMicros,
  processCpuMicros,
  withHookyard,
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

/** Spreads `total` jobs over `workers` loops, each awaiting its own request. */
async function inParallel(total: number, workers: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await job(next++);
    }),
  );
}

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

interface Consumer {
  readonly url: string;
  /** Resolves when `TOTAL` deliveries have arrived. */
  readonly done: Promise<void>;
  readonly arrivals: number[];
  readonly bodies: string[];
  readonly keys: string[];
  stop(): void;
}

/** The receiver: answers 200 at once and notes arrival times; all analysis comes after. */
function startConsumer(): Consumer {
  const arrivals: number[] = [];
  const bodies: string[] = [];
  const keys: string[] = [];
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
      keys.push(`${new URL(request.url).pathname} ${request.headers.get("webhook-id")}`);
      if (arrivals.length === TOTAL) finish();
      return new Response("ok");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    done,
    arrivals,
    bodies,
    keys,
    stop: () => server.stop(true),
  };
}

interface Measurement {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly duplicates: number;
  readonly seconds: number;
  /** CPU time per delivery in µs, by process, where measured. */
  readonly cpu?: Readonly<Record<string, number>>;
}

function measure(consumer: Consumer): Measurement {
  const sentAt = consumer.bodies.map((body) => Date.parse(JSON.parse(body).timestamp));
  const latencies = consumer.arrivals
    .map((at, i) => at - (sentAt[i] as number))
    .sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  // Loops, not Math.min(...array): a spread of 100,000 arguments can overflow the stack.
  const start = sentAt.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const end = consumer.arrivals.reduce((a, b) => Math.max(a, b), 0);
  const seconds = (end - start) / 1000;
  return {
    perSecond: consumer.arrivals.length / seconds,
    p50: quantile(0.5),
    p99: quantile(0.99),
    duplicates: consumer.keys.length - new Set(consumer.keys).size,
    seconds,
  };
}

/** Prints progress while a long wait runs, so a stalled run is visible. */
async function withProgress(label: string, consumer: Consumer): Promise<void> {
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`  ${label}: ${consumer.arrivals.length}/${TOTAL} delivered after ${seconds}s`);
  }, 15_000);
  try {
    await consumer.done;
  } finally {
    clearInterval(timer);
  }
}

async function runHookyard(databaseUrl: string): Promise<Measurement> {
  const consumer = startConsumer();
  try {
    return await withHookyard(
      {
        DATABASE_URL: databaseUrl,
        DELIVERY_CONCURRENCY: String(CONCURRENCY),
        ALLOW_PRIVATE_ENDPOINTS: "true",
      },
      async (base) => {
        const post = (path: string, body: unknown) =>
          fetch(`${base}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          });
        for (let k = 0; k < ENDPOINTS; k++) {
          const response = await post("/endpoints", {
            url: `${consumer.url}/e${k}`,
            event_types: ["bench.*"],
          });
          if (response.status !== 201) throw new Error(`POST /endpoints: ${response.status}`);
        }
        const triggerStarted = performance.now();
        await inParallel(EVENTS, TRIGGERS, async (i) => {
          const response = await post("/trigger/bench.event", { i, pad: PAD });
          await response.arrayBuffer();
          if (response.status !== 202) throw new Error(`POST /trigger: ${response.status}`);
        });
        const triggerSeconds = (performance.now() - triggerStarted) / 1000;
        console.log(
          `  ${EVENTS} triggers stored in ${triggerSeconds.toFixed(1)}s (${(EVENTS / triggerSeconds).toFixed(0)}/s)`,
        );
        await withProgress("hookyard", consumer);
        return measure(consumer);
      },
    );
  } finally {
    consumer.stop();
  }
}

/** Stores EVENTS events for ENDPOINTS endpoints first, then times hookyard delivering them. */
async function runBacklog(databaseUrl: string): Promise<Measurement> {
  const consumer = startConsumer();
  const store = openStore(loadConfig({ DATABASE_URL: databaseUrl }).database);
  try {
    await store.migrate();
    for (let k = 0; k < ENDPOINTS; k++) {
      await store.endpoints.create(
        {
          url: `${consumer.url}/e${k}`,
          description: "",
          secret: generateEndpointSecret(),
          eventTypes: ["bench.*"],
          enabled: true,
        },
        new Date(),
      );
    }
    const storing = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const now = new Date();
      await store.events.record({
        source: "trigger",
        type: "bench.event",
        occurredAt: now,
        receivedAt: now,
        payload: { i, pad: PAD },
        headers: {},
      });
    }
    console.log(
      `  backlog of ${TOTAL} deliveries stored in ${((performance.now() - storing) / 1000).toFixed(1)}s`,
    );
  } finally {
    await store.close();
  }
  try {
    const started = Date.now();
    const cpu = await withHookyard(
      {
        DATABASE_URL: databaseUrl,
        DELIVERY_CONCURRENCY: String(CONCURRENCY),
        ALLOW_PRIVATE_ENDPOINTS: "true",
      },
      async (_base, pid) => {
        const cpuPerDelivery = cpuMeter({
          hookyard: () => processCpuMicros(pid),
          ...(databaseUrl.startsWith("postgres") ? { PostgreSQL: postgresCpuMicros } : {}),
          // this process's: the consumer's, as nothing else runs in it meanwhile
          consumer: ownCpuMicros,
        });
        await withProgress("backlog", consumer);
        return cpuPerDelivery(TOTAL);
      },
    );
    const measured = measure(consumer);
    // The events' timestamps are when they were stored, before hookyard ran: time the drain
    // from the start of the process instead (start-up included, which only lowers the rate).
    const end = consumer.arrivals.reduce((a, b) => Math.max(a, b), 0);
    const seconds = (end - started) / 1000;
    return { ...measured, perSecond: consumer.arrivals.length / seconds, seconds, cpu };
  } finally {
    consumer.stop();
  }
}

async function runBaseline(): Promise<Measurement> {
  const consumer = startConsumer();
  try {
    const sender = Bun.spawn(
      [
        "bun",
        import.meta.path,
        "--baseline-sender",
        consumer.url,
        "--events",
        String(EVENTS),
        "--endpoints",
        String(ENDPOINTS),
        "--concurrency",
        String(CONCURRENCY),
        "--payload-bytes",
        String(PAD.length),
      ],
      { stdout: "pipe", stderr: "inherit" },
    );
    const consumerCpu = cpuMeter({ consumer: ownCpuMicros });
    await withProgress("baseline", consumer);
    const output = await new Response(sender.stdout).text();
    if ((await sender.exited) !== 0) throw new Error("the baseline sender failed");
    const { cpuMicros } = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
      cpuMicros: number;
    };
    return { ...measure(consumer), cpu: { sender: cpuMicros / TOTAL, ...consumerCpu(TOTAL) } };
  } finally {
    consumer.stop();
  }
}

const describe = (label: string, m: Measurement) =>
  `${label.padEnd(11)} ${m.perSecond.toFixed(0).padStart(7)} deliveries/s   stored→delivered p50 ${m.p50} ms, p99 ${m.p99} ms   (${m.seconds.toFixed(1)}s, ${m.duplicates} duplicates)`;

/** The backlog's latencies measure its queue, not delivery: only the rate is printed. */
const describeRate = (label: string, m: Measurement) =>
  `${label.padEnd(11)} ${m.perSecond.toFixed(0).padStart(7)} deliveries/s   (${m.seconds.toFixed(1)}s from start-up, ${m.duplicates} duplicates)`;

/** Where the CPU went: on a machine whose cores are all busy, this bounds the ratio. */
const describeCpu = (label: string, m: Measurement) =>
  `${label.padEnd(11)} CPU per delivery: ${Object.entries(m.cpu ?? {})
    .map(([process, us]) => `${process} ${us.toFixed(0)} µs`)
    .join(", ")}, in all ${Object.values(m.cpu ?? {})
    .reduce((a, b) => a + b, 0)
    .toFixed(0)} µs`;

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

async function withDatabase(
  dialect: "sqlite" | "postgres",
  name: string,
  run: (url: string) => Promise<Measurement>,
): Promise<Measurement> {
  const database = await freshDatabase(dialect, name, work, values.postgres ?? "");
  try {
    return await run(database.url);
  } finally {
    await database.drop();
  }
}

if (!values["no-build"]) buildBinary();
const dialects = [
  ...(values["no-sqlite"] ? [] : (["sqlite"] as const)),
  ...(values.postgres ? (["postgres"] as const) : []),
];
console.log(
  `delivery benchmark: ${EVENTS} events × ${ENDPOINTS} endpoints = ${TOTAL} deliveries, DELIVERY_CONCURRENCY ${CONCURRENCY}, ${PAD.length}-byte payloads`,
);
console.log(`machine: ${machineLine()}`);
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-deliver-"));
try {
  for (const dialect of dialects) {
    console.log(`\n${dialect}:`);
    const endToEnd = await withDatabase(dialect, "deliver", runHookyard);
    const backlogs: Measurement[] = [];
    const baselines: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const backlog = await withDatabase(dialect, "backlog", runBacklog);
      const baseline = await runBaseline();
      backlogs.push(backlog);
      baselines.push(baseline);
      console.log(
        `  round ${round}: backlog ${backlog.perSecond.toFixed(0)}/s, baseline ${baseline.perSecond.toFixed(0)}/s, ${(backlog.perSecond / baseline.perSecond).toFixed(2)}×`,
      );
    }
    const backlog = medianMeasurement(backlogs);
    const baseline = medianMeasurement(baselines);
    console.log(describe("end to end", endToEnd));
    console.log(describeRate("backlog", backlog));
    console.log(describe("baseline", baseline));
    console.log(describeCpu("backlog", backlog));
    console.log(describeCpu("baseline", baseline));
    console.log(
      `ratio      backlog ${(backlog.perSecond / baseline.perSecond).toFixed(2)}× (medians of ${ROUNDS}), end to end ${(endToEnd.perSecond / baseline.perSecond).toFixed(2)}× the baseline's deliveries/s`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
