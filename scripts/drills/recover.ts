#!/usr/bin/env bun
/**
 * The recovery drill: a receiver goes down (answers 503, or refuses connections with
 * --refuse) while events keep coming, until every delivery to it has spent its retries and
 * failed (`--count`, 5,000 by default, over `--down`). Then the receiver comes back, one
 * POST /endpoints/:id/recover queues them all again, and the drill waits until every one is
 * delivered. It prints the counts (failed before, queued, delivered, received by the
 * receiver, duplicates by webhook-id) and exits 1 unless every event arrived exactly once,
 * signed, and a dry run after the recovery would queue nothing.
 *
 * A real hookyard process (`bun src/main.ts serve`, or dist/hookyard with --binary) on a
 * fresh database. The retry schedule is short (`--schedule`, 1s: two attempts, then
 * failed), so that deliveries fail within seconds of the outage rather than after the
 * default schedule's day. `--down 10m` drills a ten-minute outage; the default, 1m, runs in
 * a couple of minutes.
 *
 *   bun scripts/drills/recover.ts [--database sqlite|postgres|postgres://…] [--count 5000]
 *       [--down 1m] [--schedule 1s] [--refuse] [--timeout 5m] [--binary] [--keep]
 *
 * `--database postgres` uses TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres,
 * and makes a database of its own there (dropped afterwards; --keep keeps it).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Webhook } from "svix";
import { formatDuration, parseDuration } from "../../src/config/units.ts";
import type { DatabaseTarget } from "../../src/config.ts";
import { generateEndpointSecret } from "../../src/lib/standard-webhooks.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";
import { api, type HookyardProcess, root, startHookyard } from "../../test/support/processes.ts";
import { freePort, freshDatabase } from "../bench/lib.ts";

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "sqlite" },
    count: { type: "string", default: "5000" },
    down: { type: "string", default: "1m" },
    schedule: { type: "string", default: "1s" },
    refuse: { type: "boolean", default: false },
    timeout: { type: "string", default: "5m" },
    binary: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

function durationOption(name: "down" | "timeout"): number {
  const ms = parseDuration(values[name]);
  if (ms === undefined) {
    console.error(`--${name}: expected a duration such as 30s, got "${values[name]}"`);
    process.exit(2);
  }
  return ms;
}

const COUNT = Number(values.count);
if (!Number.isSafeInteger(COUNT) || COUNT < 1) {
  console.error(`--count: expected a positive integer, got "${values.count}"`);
  process.exit(2);
}
const DOWN_MS = durationOption("down");
const TIMEOUT_MS = durationOption("timeout");
if (values.binary && !existsSync(join(root, "dist", "hookyard"))) {
  console.error("--binary: dist/hookyard is not built (bun run build)");
  process.exit(2);
}
const postgresUrl =
  values.database === "postgres"
    ? (process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")
    : /^postgres(ql)?:\/\//.test(values.database)
      ? values.database
      : undefined;
if (values.database !== "sqlite" && postgresUrl === undefined) {
  console.error(
    `--database: expected sqlite, postgres or a postgres:// URL, got "${values.database}"`,
  );
  process.exit(2);
}

/** Triggers in flight at once while the receiver is down. */
const SENDERS = 16;
const TYPE = "drill.outage";

const work = mkdtempSync(join(tmpdir(), "hookyard-drill-recover-"));
const database = await freshDatabase(
  postgresUrl ? "postgres" : "sqlite",
  "recover",
  work,
  postgresUrl ?? "",
);
const receiver = await startDrillReceiver();
let exitCode = 1;
try {
  exitCode = await drill();
} catch (error) {
  console.error(error);
} finally {
  receiver.stop();
  if (values.keep) console.log(`kept the database: ${database.url}`);
  else {
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}
process.exit(exitCode);

async function drill(): Promise<number> {
  console.log(
    `recovery drill: ${database.kind}, ${COUNT} events over ${formatDuration(DOWN_MS)} of outage (${values.refuse ? "connections refused" : "503"}), retry schedule ${values.schedule}, hookyard from ${values.binary ? "dist/hookyard" : "source"}`,
  );
  const instance = await startHookyard({
    databaseUrl: database.url,
    port: await freePort(),
    command: values.binary ? "binary" : "source",
    settings: {
      ALLOW_PRIVATE_ENDPOINTS: "true",
      DELIVERY_RETRY_SCHEDULE: values.schedule,
      DELIVERY_TIMEOUT: "2s",
    },
    // Only what went wrong: every attempt is logged at info.
    retain: (entry) => entry.level === "warn" || entry.level === "error",
    startTimeoutMs: 30_000,
  });
  const store = openStore(targetOf(database.url));
  try {
    return await run(instance, store);
  } finally {
    await instance.kill("SIGTERM");
    await store.close();
    for (const entry of instance.logs.filter((e) => e.level === "error").slice(0, 5)) {
      console.log(`  hookyard logged an error: ${JSON.stringify(entry)}`);
    }
  }
}

async function run(instance: HookyardProcess, store: Store): Promise<number> {
  const secret = generateEndpointSecret();
  receiver.secret = secret;
  const endpoint = await api(instance, "/endpoints", {
    url: receiver.url,
    event_types: ["drill.*"],
    secret,
  });
  const since = new Date(Date.now() - 1_000).toISOString();

  // --- the outage --------------------------------------------------------------------
  receiver.goDown(values.refuse);
  const downAt = performance.now();
  await triggerOverOutage(instance);
  const triggeredIn = performance.now() - downAt;
  await untilCounted(store, "failed", COUNT, TIMEOUT_MS);
  const leftToDown = DOWN_MS - (performance.now() - downAt);
  if (leftToDown > 0) await Bun.sleep(leftToDown);
  const downFor = performance.now() - downAt;
  const before = await counts(store);
  const turnedAway = values.refuse
    ? "connections refused"
    : `${receiver.refused} requests answered 503`;
  console.log(
    `  down ${formatDuration(Math.round(downFor))}: ${COUNT} events triggered in ${formatDuration(Math.round(triggeredIn))}, ${turnedAway}`,
  );
  console.log(`  deliveries before recovery: ${describeCounts(before)}`);

  // --- back up, one recover call -----------------------------------------------------
  receiver.comeBack();
  const wouldQueue = (
    await post(instance, `/endpoints/${endpoint.id}/recover?dry_run=true`, { since })
  ).would_queue as number;
  const recoverStarted = performance.now();
  const response = await fetch(`${instance.url}/endpoints/${endpoint.id}/recover`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ since }),
  });
  const recoverMs = performance.now() - recoverStarted;
  const answer = (await response.json()) as { queued?: number };
  console.log(
    `  POST /endpoints/:id/recover → ${response.status} ${JSON.stringify(answer)} in ${Math.round(recoverMs)} ms (dry run before: would_queue ${wouldQueue})`,
  );
  const afterwards = (
    await post(instance, `/endpoints/${endpoint.id}/recover?dry_run=true`, { since })
  ).would_queue as number;

  await untilCounted(store, "delivered", COUNT, TIMEOUT_MS);
  const deliveredIn = performance.now() - recoverStarted;
  // Whatever would arrive late (a duplicate still in flight) has a moment to show.
  await Bun.sleep(1_000);
  const after = await counts(store);

  const received = receiver.acked.size;
  const duplicates = [...receiver.acked.values()].filter((n) => n > 1).length;
  const events = await eventIds(store);
  const missing = [...events].filter((id) => !receiver.acked.has(id)).length;
  const strangers = [...receiver.acked.keys()].filter((id) => !events.has(id)).length;

  console.log(
    `  deliveries after: ${describeCounts(after)}, all delivered ${formatDuration(Math.round(deliveredIn))} after the call`,
  );
  console.log("\ncounts");
  console.log(`  failed before     ${before.failed ?? 0}`);
  console.log(`  would queue       ${wouldQueue}`);
  console.log(`  queued            ${answer.queued}`);
  console.log(`  delivered         ${after.delivered ?? 0}`);
  console.log(`  received (2xx)    ${received} distinct webhook-ids`);
  console.log(`  duplicates        ${duplicates} webhook-ids received twice or more`);
  console.log(`  missing           ${missing} events never received`);
  console.log(`  bad signatures    ${receiver.unverified}`);
  console.log(`  dry run after     would_queue ${afterwards}`);

  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  expect(before.failed === COUNT, `${before.failed ?? 0} failed before recovery, not ${COUNT}`);
  expect(response.status === 202, `recover answered ${response.status}, not 202`);
  expect(answer.queued === COUNT, `recover queued ${answer.queued}, not ${COUNT}`);
  expect(wouldQueue === COUNT, `the dry run would have queued ${wouldQueue}, not ${COUNT}`);
  expect(after.delivered === COUNT, `${after.delivered ?? 0} delivered, not ${COUNT}`);
  expect(received === COUNT, `${received} received, not ${COUNT}`);
  expect(duplicates === 0, `${duplicates} webhook-id(s) received more than once`);
  expect(missing === 0 && strangers === 0, `${missing} missing, ${strangers} unknown ids`);
  expect(receiver.unverified === 0, `${receiver.unverified} request(s) failed verification`);
  expect(afterwards === 0, `a dry run after recovery would queue ${afterwards}, not 0`);
  console.log(problems.length === 0 ? "\nPASS" : `\nFAIL\n  ${problems.join("\n  ")}`);
  return problems.length === 0 ? 0 : 1;
}

/** COUNT triggers spread evenly over the outage, SENDERS at a time. */
async function triggerOverOutage(instance: HookyardProcess): Promise<void> {
  const started = performance.now();
  // Leave time within the outage for the last ones to spend their retries.
  const spreadMs = DOWN_MS / 2;
  let next = 0;
  const sender = async () => {
    while (next < COUNT) {
      const n = next++;
      const due = started + (spreadMs * n) / COUNT;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      await post(instance, `/trigger/${TYPE}`, { n });
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
}

async function post(instance: HookyardProcess, path: string, body: unknown) {
  return api(instance, path, body);
}

type Counts = Readonly<Record<string, number>>;

async function counts(store: Store): Promise<Counts> {
  return (await store.deliveries.stats(new Date())).byStatus;
}

function describeCounts(c: Counts): string {
  const parts = Object.entries(c).map(([status, n]) => `${n} ${status}`);
  return parts.join(", ") || "none";
}

/** Polls the database (twice a second) until `count` deliveries are `status`. */
async function untilCounted(store: Store, status: string, count: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const now = await counts(store);
    if ((now[status] ?? 0) >= count) return;
    if (performance.now() > deadline) {
      throw new Error(
        `after ${formatDuration(timeoutMs)}: ${describeCounts(now)}; waited for ${count} ${status}`,
      );
    }
    await Bun.sleep(500);
  }
}

async function eventIds(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: Parameters<Store["events"]["list"]>[1]["after"];
  for (;;) {
    const page = await store.events.list({ type: TYPE }, { limit: 500, after });
    for (const event of page.items) ids.add(event.id);
    if (page.next === null) return ids;
    after = page.next;
  }
}

function targetOf(url: string): DatabaseTarget {
  return url.startsWith("sqlite:")
    ? { kind: "sqlite", path: url.slice("sqlite:".length) }
    : { kind: "postgres", url };
}

/**
 * The receiver: while down it answers 503, or (refusing) closes its listener so that
 * connections are refused; back up, it answers 200 and counts each webhook-id it
 * acknowledged, after verifying the signature as svix's library does.
 */
async function startDrillReceiver() {
  const port = await freePort();
  let down = false;
  let server: ReturnType<typeof Bun.serve> | undefined;
  const state = {
    url: `http://127.0.0.1:${port}/hook`,
    secret: "",
    refused: 0,
    unverified: 0,
    acked: new Map<string, number>(),
    goDown(refuse: boolean) {
      down = true;
      if (refuse) {
        server?.stop(true);
        server = undefined;
      }
    },
    comeBack() {
      down = false;
      server ??= listen();
    },
    stop() {
      server?.stop(true);
    },
  };
  const listen = () =>
    Bun.serve({
      hostname: "127.0.0.1",
      port,
      async fetch(request) {
        const body = await request.text();
        if (down) {
          state.refused++;
          return new Response("down for maintenance", { status: 503 });
        }
        try {
          new Webhook(state.secret).verify(body, Object.fromEntries(request.headers));
        } catch {
          state.unverified++;
          return new Response("bad signature", { status: 400 });
        }
        const id = request.headers.get("webhook-id") ?? "";
        state.acked.set(id, (state.acked.get(id) ?? 0) + 1);
        return new Response("ok");
      },
    });
  server = listen();
  return state;
}
