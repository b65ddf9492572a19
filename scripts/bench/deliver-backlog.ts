/**
 * The delivery engine alone against the least a sender can do. Backlog: the events are
 * stored first, through the store as ingestion stores them, then a freshly started hookyard
 * delivers them. Baseline: `deliver.ts --baseline-sender`, a separate process, signs and
 * POSTs the same bodies with the same concurrency and stores nothing.
 */
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import { openStore } from "../../src/store/open.ts";
import type { Load } from "./deliver-end-to-end.ts";
import {
  type Measurement,
  measure,
  startReceiver,
  storedAt,
  withProgress,
} from "./deliver-receiver.ts";
import {
  cpuMeter,
  ownCpuMicros,
  postgresCpuMicros,
  processCpuMicros,
  withHookyard,
} from "./lib.ts";

/** Stores the events for the endpoints first, then times hookyard delivering them. */
export async function runBacklog(databaseUrl: string, load: Load): Promise<Measurement> {
  const TOTAL = load.events * load.endpoints;
  const receiver = startReceiver(TOTAL);
  const store = openStore(loadConfig({ DATABASE_URL: databaseUrl }).database);
  try {
    await store.migrate();
    for (let k = 0; k < load.endpoints; k++) {
      await store.endpoints.create(
        {
          url: `${receiver.url}/e${k}`,
          description: "",
          secret: generateEndpointSecret(),
          eventTypes: ["bench.*"],
          enabled: true,
        },
        new Date(),
      );
    }
    const storing = performance.now();
    for (let i = 0; i < load.events; i++) {
      const now = new Date();
      await store.events.record({
        source: "trigger",
        type: "bench.event",
        occurredAt: now,
        receivedAt: now,
        payload: { i, pad: load.pad },
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
        DELIVERY_CONCURRENCY: String(load.concurrency),
        ALLOW_PRIVATE_ENDPOINTS: "true",
      },
      async (_base, pid) => {
        const cpuPerDelivery = cpuMeter({
          hookyard: () => processCpuMicros(pid),
          ...(databaseUrl.startsWith("postgres") ? { PostgreSQL: postgresCpuMicros } : {}),
          // this process's: the receiver's, as nothing else runs in it meanwhile
          receiver: ownCpuMicros,
        });
        await withProgress("backlog", receiver, TOTAL);
        return cpuPerDelivery(TOTAL);
      },
    );
    const measured = measure(receiver, storedAt);
    // The events' timestamps are when they were stored, before hookyard ran: time the drain
    // from the start of the process instead (start-up included, which only lowers the rate).
    const end = receiver.arrivals.reduce((a, b) => Math.max(a, b), 0);
    const seconds = (end - started) / 1000;
    return { ...measured, perSecond: receiver.arrivals.length / seconds, seconds, cpu };
  } finally {
    receiver.stop();
  }
}

export async function runBaseline(load: Load): Promise<Measurement> {
  const TOTAL = load.events * load.endpoints;
  const receiver = startReceiver(TOTAL);
  try {
    const sender = Bun.spawn(
      [
        "bun",
        join(import.meta.dir, "deliver.ts"),
        "--baseline-sender",
        receiver.url,
        "--events",
        String(load.events),
        "--endpoints",
        String(load.endpoints),
        "--concurrency",
        String(load.concurrency),
        "--payload-bytes",
        String(load.pad.length),
      ],
      { stdout: "pipe", stderr: "inherit" },
    );
    const receiverCpu = cpuMeter({ receiver: ownCpuMicros });
    await withProgress("baseline", receiver, TOTAL);
    const output = await new Response(sender.stdout).text();
    if ((await sender.exited) !== 0) throw new Error("the baseline sender failed");
    const { cpuMicros } = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
      cpuMicros: number;
    };
    return {
      ...measure(receiver, storedAt),
      cpu: { sender: cpuMicros / TOTAL, ...receiverCpu(TOTAL) },
    };
  } finally {
    receiver.stop();
  }
}
