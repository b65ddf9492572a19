/**
 * The database-outage drill: a real hookyard process under steady load loses PostgreSQL
 * for a while (20 s by default) and gets it back, without a restart. Every answer is
 * counted, and afterwards every 2xx is looked up in the database: a 2xx for something
 * not stored is a lost event, and the drill exits 1 if there is one.
 *
 * The database is taken away by cutting a TCP proxy between hookyard and the server
 * (test/support/tcp-proxy.ts), so a shared PostgreSQL keeps running for everyone else.
 * Runs dist/hookyard when it is built, else `bun src/main.ts serve`.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     bun scripts/drills/db-outage.ts [--duration 60s] [--outage 20s] [--senders 4] [--pause 25ms]
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { formatDuration, parseDuration } from "../../src/config/units.ts";
import { type FakeSvix, startFakeSvix } from "../../test/support/fake-svix-server.ts";
import {
  isSuccess,
  startLoad,
  subscribeReceiverAndHook,
  tally,
  unstored,
} from "../../test/support/outage-load.ts";
import { startReceiver } from "../../test/support/receiver.ts";
import { startTcpProxy, targetOf, viaProxy } from "../../test/support/tcp-proxy.ts";
import { freePort, freshDatabase, root } from "../bench/lib.ts";

const GITHUB_SECRET = "drill-github-secret";

type Phase = "before" | "down" | "after";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60s" },
    outage: { type: "string", default: "20s" },
    senders: { type: "string", default: "4" },
    pause: { type: "string", default: "25ms" },
    "drain-timeout": { type: "string", default: "90s" },
  },
});

function durationOption(name: keyof typeof values): number {
  const ms = parseDuration(String(values[name]));
  if (ms === undefined) {
    console.error(`--${name}: expected a duration such as 30s, got "${values[name]}"`);
    process.exit(2);
  }
  return ms;
}

const durationMs = durationOption("duration");
const outageMs = durationOption("outage");
const pauseMs = durationOption("pause");
const drainTimeoutMs = durationOption("drain-timeout");
const senders = Number(values.senders);
const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) {
  console.error("TEST_DATABASE_URL: set it to a PostgreSQL server (a database is created on it)");
  process.exit(2);
}
if (outageMs >= durationMs || !Number.isInteger(senders) || senders < 1) {
  console.error("--outage must be shorter than --duration, --senders a positive integer");
  process.exit(2);
}

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes; says whether it held. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return true;
    await Bun.sleep(100);
  }
  return false;
}

const dir = mkdtempSync(join(tmpdir(), "hookyard-drill-"));
const database = await freshDatabase("postgres", "outage", dir, postgresUrl);
const direct = postgres(database.url, { max: 2, onnotice: () => {} });
const proxy = await startTcpProxy(targetOf(postgresUrl));
const receiver = startReceiver();
const svix: FakeSvix = await startFakeSvix();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const binary = join(root, "dist", "hookyard");
const command = existsSync(binary)
  ? [binary, "serve"]
  : ["bun", join(root, "src", "main.ts"), "serve"];
const levels = new Map<string, number>();
const child = Bun.spawn(command, {
  env: {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: viaProxy(database.url, proxy),
    GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    SVIX_TOKEN: svix.token,
    SVIX_SERVER_URL: svix.url,
    ALLOW_PRIVATE_ENDPOINTS: "true",
    DELIVERY_TIMEOUT: "2s",
    LOG_LEVEL: "warn",
  },
  stdout: "pipe",
  stderr: "inherit",
});
/** Log lines by level, to report how loud the outage was. */
const logsRead = (async () => {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of child.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const level = /"level":"(\w+)"/.exec(line)?.[1] ?? "other";
      levels.set(level, (levels.get(level) ?? 0) + 1);
    }
  }
})();

let exitCode = 1;
try {
  if (!(await until(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000))) {
    throw new Error("hookyard did not become ready");
  }
  const { hookId } = await subscribeReceiverAndHook(
    { request: (path, init) => fetch(`${base}${path}`, init) },
    receiver,
    "drill",
  );

  let phase: Phase = "before";
  const readiness: { phase: Phase; status: number | "error"; at: number }[] = [];
  const started = Date.now();
  const load = startLoad({
    baseUrl: base,
    senders,
    pauseMs,
    githubSecret: GITHUB_SECRET,
    hookId,
    phase: () => phase,
    requestTimeoutMs: 30_000,
  });
  const probing = (async () => {
    while (Date.now() - started < durationMs) {
      const sentIn: Phase = phase;
      const status = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        () => "error" as const,
      );
      // A probe that outlived its phase says nothing clear about either.
      const answeredIn: Phase = phase;
      if (answeredIn === sentIn)
        readiness.push({ phase: sentIn, status, at: Date.now() - started });
      await Bun.sleep(250);
    }
  })();

  const outageAt = Math.round((durationMs - outageMs) / 2);
  console.log(
    `drill: ${command.join(" ")}; ${senders} senders for ${formatDuration(durationMs)}, ` +
      `PostgreSQL away from ${formatDuration(outageAt)} for ${formatDuration(outageMs)}`,
  );
  await Bun.sleep(outageAt); // the schedule of the drill, not a wait for an event
  await proxy.cut();
  phase = "down";
  const cutAt = Date.now();
  await Bun.sleep(outageMs);
  await proxy.restore();
  phase = "after";
  const restoredAt = Date.now();
  await Bun.sleep(Math.max(0, started + durationMs - Date.now()));
  const answers = await load.stop();
  await probing;

  // Drain: every stored event delivered, every accepted notification sent to Svix.
  const pending = async () => {
    const [row] = await direct<{ deliveries: number; relay: number }[]>`
      select (select count(*) from deliveries where status <> 'delivered')::int as deliveries,
             (select count(*) from relay_messages where status not in ('sent', 'rejected'))::int as relay`;
    return row ?? { deliveries: -1, relay: -1 };
  };
  const drainStarted = Date.now();
  const drained = await until(async () => {
    const left = await pending();
    return left.deliveries === 0 && left.relay === 0;
  }, drainTimeoutMs);
  const drainMs = Date.now() - drainStarted;

  const lost = await unstored(direct, answers);
  const [stored] = await direct<{ events: number; relay: number; deliveries: number }[]>`
    select (select count(*) from events)::int as events,
           (select count(*) from relay_messages)::int as relay,
           (select count(*) from deliveries)::int as deliveries`;
  const eventIds = new Set(
    (await direct<{ id: string }[]>`select id from events`).map((row) => row.id),
  );
  const received = new Map<string, number>();
  for (const request of receiver.requests) {
    received.set(request.id, (received.get(request.id) ?? 0) + 1);
  }
  const deliveredEvents = [...eventIds].filter((id) => received.has(id)).length;
  const duplicateDeliveries = [...received.values()].reduce((sum, n) => sum + n - 1, 0);
  const svixDuplicates = [...svix.countByEventId().values()].reduce((sum, n) => sum + n - 1, 0);
  const acceptedNotifications = answers.filter(
    (a) => a.kind === "notification" && isSuccess(a),
  ).length;

  const firstOkAfter = Math.min(
    ...answers.filter((a) => a.sentIn === "after" && isSuccess(a)).map((a) => a.answeredAt),
  );
  const byPhase = (p: Phase) => tally(answers.filter((a) => a.sentIn === p));
  const readyIn = (p: Phase) =>
    [...new Set(readiness.filter((r) => r.phase === p).map((r) => r.status))].join("/");
  const recoveredAt = readiness.find((r) => r.phase === "after" && r.status === 200)?.at;
  const alive = child.exitCode === null;

  console.log("\nanswers by phase (when sent)");
  console.table({
    before: byPhase("before"),
    down: byPhase("down"),
    after: byPhase("after"),
    total: tally(answers),
  });
  const others = answers.filter((a) => !isSuccess(a) && a.status !== 503);
  if (others.length > 0) {
    const kinds = new Map<string, number>();
    for (const a of others) {
      const key = `${a.kind} ${a.status}${a.error ? ` ${a.error}` : ""}`;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    console.log("other answers:", Object.fromEntries(kinds));
  }
  const badDown = answers.filter(
    (a) => a.sentIn === "down" && a.answeredIn === "down" && a.status === 503,
  );
  const figures = {
    sent: answers.length,
    "answered 2xx": answers.filter(isSuccess).length,
    "answered 503": answers.filter((a) => a.status === 503).length,
    other: others.length,
    "503 without Retry-After or JSON error": badDown.filter(
      (a) => a.retryAfter === null || typeof (a.body as { error?: unknown })?.error !== "string",
    ).length,
    "stored events": stored?.events ?? 0,
    "stored relay messages": stored?.relay ?? 0,
    "lost (2xx, not stored)": lost.length,
    // The commit raced the connection's loss: the sender retries and hears "duplicate".
    "stored although not answered 2xx":
      (stored?.events ?? 0) + (stored?.relay ?? 0) - answers.filter(isSuccess).length,
    "events delivered to the receiver": `${deliveredEvents} of ${eventIds.size}`,
    "duplicate deliveries (same webhook-id again)": duplicateDeliveries,
    "notifications accepted / sent to Svix": `${acceptedNotifications} / ${svix.messages.length}`,
    "duplicates at Svix": svixDuplicates,
    "/readyz before / down / after": `${readyIn("before")} / ${readyIn("down")} / ${readyIn("after")}`,
    "first 2xx after restore (ms)": Number.isFinite(firstOkAfter)
      ? firstOkAfter - restoredAt
      : "none",
    "/readyz 200 again after restore (ms)":
      recoveredAt === undefined ? "never" : recoveredAt - (restoredAt - started),
    "outage (ms)": restoredAt - cutAt,
    "drained after load stopped (ms)": drained ? drainMs : `not within ${drainTimeoutMs}`,
    "hookyard still running": alive,
    "log lines by level": Object.fromEntries(levels),
  };
  console.log("\nfigures");
  for (const [name, value] of Object.entries(figures)) {
    console.log(
      `  ${name.padEnd(46)} ${typeof value === "object" ? JSON.stringify(value) : value}`,
    );
  }
  for (const answer of lost.slice(0, 10)) console.log("LOST:", JSON.stringify(answer));
  const ok = lost.length === 0 && drained && alive && deliveredEvents === eventIds.size;
  exitCode = ok ? 0 : 1;
  console.log(ok ? "\ndrill passed" : "\ndrill FAILED");
} catch (error) {
  console.error("drill:", error);
} finally {
  const stopping = Date.now();
  child.kill("SIGTERM");
  const code = await child.exited;
  await logsRead;
  console.log(`hookyard stopped with ${code} in ${Date.now() - stopping} ms`);
  if (code !== 0) exitCode = 1;
  await receiver.stop();
  await svix.stop();
  await proxy.close();
  await direct.end();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
