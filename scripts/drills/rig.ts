/**
 * What every drill sets up around hookyard: a fresh database (SQLite file, or a database
 * of its own on a PostgreSQL server), receivers for outbound deliveries (one per endpoint
 * of ./load.ts, answering 503 to a share of requests so retries happen), the fake Svix,
 * and the settings that point hookyard at them.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseTarget } from "../../src/config.ts";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";
import { type FakeSvix, startFakeSvix } from "../../test/support/fake-svix-server.ts";
import {
  api,
  freePort,
  type HookyardCommand,
  type HookyardProcess,
  root,
  spawnHookyard,
  startHookyard,
} from "../../test/support/processes.ts";
import { ok, type Receiver, startReceiver, status } from "../../test/support/receiver.ts";
import { type Database, freshDatabase } from "../bench/lib.ts";
import { ENDPOINT_FILTERS, GITHUB_SECRET, seededRandom } from "./load.ts";

export interface RigOptions {
  /** `sqlite` (a fresh file) or a PostgreSQL server URL (a fresh database on it). */
  readonly database: string;
  readonly name: string;
  readonly seed: number;
  /** Share of receiver requests answered 503 (retried on DELIVERY_RETRY_SCHEDULE). */
  readonly receiverFailureRate: number;
  readonly binary: boolean;
  readonly settings?: Record<string, string>;
}

/** One receiver's view: when each webhook-id was answered 2xx (performance.now()). */
export interface Counted {
  readonly receiver: Receiver;
  readonly acked: Map<string, number[]>;
}

export interface Rig {
  readonly database: Database;
  readonly svix: FakeSvix;
  readonly receivers: readonly Counted[];
  readonly port: number;
  readonly baseUrl: string;
  readonly command: HookyardCommand;
  start(): Promise<HookyardProcess>;
  /** Starts hookyard without waiting for it to listen, to kill it during start-up. */
  spawn(): Promise<{ instance: HookyardProcess; listening: Promise<void> }>;
  /** Registers an endpoint per receiver and a named hook; returns the ids. */
  provision(instance: HookyardProcess): Promise<{ endpointIds: string[]; hookId: string }>;
  /** Opens the drill's database (for the final counts; after hookyard stopped on SQLite). */
  openStore(): Store;
  close(keep: boolean): Promise<void>;
}

function parseDatabaseOption(value: string): "sqlite" | { postgres: string } {
  if (value === "sqlite") return "sqlite";
  if (/^postgres(ql)?:\/\//.test(value)) return { postgres: value };
  console.error(`--database: expected "sqlite" or a postgres:// URL, got "${value}"`);
  process.exit(2);
}

function targetOf(url: string): DatabaseTarget {
  return url.startsWith("sqlite:")
    ? { kind: "sqlite", path: url.slice("sqlite:".length) }
    : { kind: "postgres", url };
}

export async function setUpRig(options: RigOptions): Promise<Rig> {
  const command: HookyardCommand = options.binary ? "binary" : "source";
  if (command === "binary" && !existsSync(join(root, "dist", "hookyard"))) {
    console.error("--binary: dist/hookyard is not built (bun run build)");
    process.exit(2);
  }
  const which = parseDatabaseOption(options.database);
  const work = mkdtempSync(join(tmpdir(), `hookyard-drill-${options.name}-`));
  const database = await freshDatabase(
    which === "sqlite" ? "sqlite" : "postgres",
    options.name,
    work,
    which === "sqlite" ? "" : which.postgres,
  );
  const svix = await startFakeSvix();
  const random = seededRandom(options.seed ^ 0x5eed);
  const receivers = ENDPOINT_FILTERS.map((): Counted => {
    const acked = new Map<string, number[]>();
    const receiver = startReceiver((request) => {
      if (random() < options.receiverFailureRate) return status(503);
      const times = acked.get(request.id) ?? [];
      times.push(request.arrivedAt);
      acked.set(request.id, times);
      return ok(request);
    });
    return { receiver, acked };
  });
  const port = await freePort();
  const settings = {
    GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    SVIX_TOKEN: svix.token,
    SVIX_SERVER_URL: svix.url,
    ALLOW_PRIVATE_ENDPOINTS: "true",
    // Short, and long enough (twelve tries) that a 10% failure rate never spends them all.
    DELIVERY_RETRY_SCHEDULE: "100ms,250ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s",
    // Leases follow it (3 s for deliveries, 7 s for the relay): a killed instance's work
    // is taken over within seconds.
    DELIVERY_TIMEOUT: "1s",
    SHUTDOWN_TIMEOUT: "5s",
    ...options.settings,
  };
  const processOptions = {
    databaseUrl: database.url,
    port,
    settings,
    command,
    // Only what went wrong: a long run would otherwise keep every line.
    retain: (entry: { level: string }) => entry.level === "warn" || entry.level === "error",
    startTimeoutMs: 30_000,
  };
  return {
    database,
    svix,
    receivers,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    command,
    start: () => startHookyard(processOptions),
    spawn: () => spawnHookyard(processOptions),
    async provision(instance) {
      const endpointIds: string[] = [];
      for (const [i, filters] of ENDPOINT_FILTERS.entries()) {
        const counted = receivers[i] as Counted;
        const secret = generateEndpointSecret();
        counted.receiver.secret = secret;
        const endpoint = await api(instance, "/endpoints", {
          url: counted.receiver.url,
          event_types: filters,
          secret,
        });
        endpointIds.push(endpoint.id);
      }
      const hook = await api(instance, "/webhook", { userid: "drill" });
      return { endpointIds, hookId: hook.id };
    },
    openStore: () => openStore(targetOf(database.url)),
    async close(keep) {
      await svix.stop();
      await Promise.all(receivers.map(({ receiver }) => receiver.stop()));
      if (keep) {
        console.log(`kept the database: ${database.url}`);
        return;
      }
      await database.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Every page of a keyset-paged store listing. */
export async function readAll<T, C>(
  list: (after: C | undefined) => Promise<{ items: readonly T[]; next: C | null }>,
): Promise<T[]> {
  const all: T[] = [];
  let after: C | undefined;
  for (;;) {
    const page = await list(after);
    all.push(...page.items);
    if (page.next === null) return all;
    after = page.next;
  }
}

/**
 * Resolves once no delivery is pending and no relay message queued. The queues have no
 * change feed outside the process, so this asks the API every 250 ms.
 */
export async function drained(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [deliveries, relay] = await Promise.all([
      api({ url: baseUrl }, "/deliveries?status=pending&limit=1"),
      api({ url: baseUrl }, "/relay/messages?status=queued&limit=1"),
    ]);
    if (deliveries.deliveries.length === 0 && relay.messages.length === 0) return;
    if (Date.now() > deadline) throw new Error(`not drained after ${timeoutMs} ms`);
    await Bun.sleep(250);
  }
}
