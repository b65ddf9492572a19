/**
 * The delivery benchmark's end-to-end contest: hookyard on SQLite, hookyard on PostgreSQL
 * and the graphile-worker peer (`peers/graphile-deliver.ts`) each get the same endpoints on
 * the same receiver and the same triggers (`POST /trigger/bench.event`, a fixed number in
 * flight), and are timed from the first trigger sent to the last delivery received.
 */
import { join } from "node:path";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import {
  inParallel,
  type Measurement,
  measure,
  startReceiver,
  verifySignatures,
  withProgress,
} from "./deliver-receiver.ts";
import {
  type Database,
  databaseCpuMeter,
  freePort,
  peakResidentMegabytes,
  processCpuMicros,
  withHookyard,
  withServerProcess,
} from "./lib.ts";

export type Contestant = "hookyard, SQLite" | "hookyard, PostgreSQL" | "graphile-worker peer";

export interface Load {
  readonly events: number;
  readonly endpoints: number;
  readonly triggers: number;
  readonly concurrency: number;
  readonly pad: string;
  /** The PostgreSQL server's URL, for measuring its processes' CPU. */
  readonly postgres: string;
}

export interface Result extends Measurement {
  readonly triggersPerSecond: number;
  /** The server process's peak resident memory over the round (VmHWM), MB. */
  readonly peakRssMb: number;
  readonly signatures: { verified: number; failed: number };
}

/** Starts the contestant's server on `database` and hands its base URL and pid to `body`. */
function withServer<T>(
  contestant: Contestant,
  database: Database,
  load: Load,
  body: (base: string, pid: number) => Promise<T>,
): Promise<T> {
  if (contestant === "graphile-worker peer") {
    return freePort().then((port) =>
      withServerProcess(
        [
          "bun",
          join(import.meta.dir, "peers", "graphile-deliver.ts"),
          String(port),
          database.url,
          String(load.concurrency),
        ],
        port,
        body,
      ),
    );
  }
  return withHookyard(
    {
      DATABASE_URL: database.url,
      DELIVERY_CONCURRENCY: String(load.concurrency),
      ALLOW_PRIVATE_ENDPOINTS: "true",
    },
    body,
  );
}

export async function runEndToEnd(
  contestant: Contestant,
  database: Database,
  load: Load,
): Promise<Result> {
  const total = load.events * load.endpoints;
  const receiver = startReceiver(total);
  const secrets = Array.from({ length: load.endpoints }, generateEndpointSecret);
  const sentAt: number[] = [];
  try {
    const { cpu, triggersPerSecond, peakRssMb } = await withServer(
      contestant,
      database,
      load,
      async (base, pid) => {
        const post = (path: string, body: unknown) =>
          fetch(`${base}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          });
        for (const [k, secret] of secrets.entries()) {
          const response = await post("/endpoints", {
            url: `${receiver.url}/e${k}`,
            event_types: ["bench.*"],
            secret,
          });
          if (response.status !== 201) throw new Error(`POST /endpoints: ${response.status}`);
        }
        const serverCpu = processCpuMicros(pid);
        const postgresCpu =
          database.kind === "postgres"
            ? databaseCpuMeter(load.postgres, new URL(database.url).pathname.slice(1))
            : undefined;
        const triggering = performance.now();
        await inParallel(load.events, load.triggers, async (i) => {
          sentAt[i] = Date.now();
          const response = await post("/trigger/bench.event", { i, pad: load.pad });
          await response.arrayBuffer();
          if (response.status !== 202) throw new Error(`POST /trigger: ${response.status}`);
        });
        const triggerSeconds = (performance.now() - triggering) / 1000;
        await withProgress(contestant, receiver, total);
        const server = (processCpuMicros(pid) - serverCpu) / total;
        return {
          triggersPerSecond: load.events / triggerSeconds,
          peakRssMb: peakResidentMegabytes(pid),
          cpu: {
            server,
            ...(postgresCpu ? { PostgreSQL: (await postgresCpu()) / total } : {}),
          },
        };
      },
    );
    const measured = measure(
      receiver,
      (body) => sentAt[(JSON.parse(body) as { data: { i: number } }).data.i] as number,
    );
    return {
      ...measured,
      cpu,
      triggersPerSecond,
      peakRssMb,
      signatures: verifySignatures(receiver, secrets),
    };
  } finally {
    receiver.stop();
  }
}
