/**
 * The large-bodies drill: a real hookyard process receives a few ~24 MB bodies at once
 * (entity events with a big `payload` by default, or GitHub pushes with many commits),
 * while /healthz is asked every 10 ms. Reading, parsing and storing such bodies must not
 * stall the event loop: the drill prints /healthz's max and p99 latency during the
 * uploads, each upload's answer, and PASS when the max stays under the target (exit 1 if
 * not).
 *
 *   bun scripts/drills/large-bodies.ts [--database sqlite|postgres] [--bodies 4]
 *       [--size 24mb] [--route entity|github] [--rounds 1] [--target 100ms] [--binary]
 *
 * PostgreSQL: TEST_DATABASE_URL's server (postgres://postgres@127.0.0.1:5432/postgres when
 * unset), on a database of its own that is dropped afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseDuration, parseSize } from "../../src/config/units.ts";
import { signGitHubPayload } from "../../src/ingest/github/signature.ts";
import { commit, defaultBranchPush } from "../../test/fixtures/github/push.ts";
import { GITHUB_SECRET } from "./load.ts";
import { setUpRig } from "./rig.ts";

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "sqlite" },
    bodies: { type: "string", default: "4" },
    size: { type: "string", default: "24mb" },
    route: { type: "string", default: "entity" },
    rounds: { type: "string", default: "1" },
    target: { type: "string", default: "100ms" },
    interval: { type: "string", default: "10ms" },
    binary: { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const bodies = Number(values.bodies);
const rounds = Number(values.rounds);
const size = parseSize(String(values.size)) ?? fail(`--size: expected a size such as 24mb`);
const targetMs = parseDuration(String(values.target)) ?? fail("--target: expected a duration");
const intervalMs = parseDuration(String(values.interval)) ?? fail("--interval: a duration");
const route = values.route;
if (route !== "entity" && route !== "github") fail(`--route: entity or github, got "${route}"`);
if (!Number.isInteger(bodies) || bodies < 1) fail("--bodies: a positive integer");
if (!Number.isInteger(rounds) || rounds < 1) fail("--rounds: a positive integer");
const database =
  values.database === "postgres"
    ? (process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")
    : values.database === "sqlite"
      ? "sqlite"
      : fail(`--database: sqlite or postgres, got "${values.database}"`);

interface Upload {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/**
 * Records of a few hundred bytes each, like an export of many rows, with one `\u` escape
 * so the storability walk (src/lib/storable.ts) runs over the whole payload, as it does
 * for a sender that escapes non-ASCII text.
 */
function rows(count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${i}`,
    name: `Row ${i} of the large-bodies drill`,
    status: i % 3 === 0 ? "done" : "in progress",
    tags: ["drill", "large", `n${i % 17}`],
    estimate: i % 13,
    description: i === 0 ? "caf\u00e9 (escaped)" : "Review the storyboard and attach notes.",
  }));
}

/** Rows for a payload of about `bytes`: counted on a first guess, then scaled to fit. */
function rowsOfSize(bytes: number, tag: string) {
  const guess = rows(1000, tag);
  const count = Math.floor((bytes / JSON.stringify(guess).length) * 1000);
  const first = rows(count, tag);
  return first.slice(0, Math.floor((count * bytes) / JSON.stringify(first).length));
}

function entityUpload(n: number, round: number): Upload {
  const tag = `r${round}-b${n}`;
  const text = JSON.stringify({
    action: "create",
    entity_type: "import",
    time: new Date().toISOString(),
    id: `large-${tag}-${crypto.randomUUID()}`,
    payload: { rows: rowsOfSize(size - 512, tag) },
  }).replace("caf\u00e9", "caf\\u00e9");
  return {
    path: "/webhooks/event",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: new TextEncoder().encode(text),
  };
}

/** A push to the default branch whose commits carry long messages. */
function githubUpload(n: number, round: number): Upload {
  const tag = `r${round}-b${n}`;
  const message = `Drill commit ${tag}: ${"a long message line ".repeat(40)}`;
  const one = JSON.stringify(commit(message, { id: "0".repeat(40) })).length;
  const commits = Array.from({ length: Math.max(1, Math.floor((size - 8192) / one)) }, (_, i) => {
    const sha = Bun.hash(`${tag}-${i}`).toString(16).padStart(40, "0").slice(0, 40);
    return commit(message, { id: sha, url: `https://github.com/octo/app/commit/${sha}` });
  });
  const text = JSON.stringify(defaultBranchPush({}, commits));
  const delivery = crypto.randomUUID();
  return {
    path: "/webhooks/github",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": delivery,
      "x-hub-signature-256": signGitHubPayload(GITHUB_SECRET, text),
    },
    body: new TextEncoder().encode(text),
  };
}

/**
 * /healthz asked every `intervalMs` from a thread of its own: sending 24 MB bodies stalls
 * this thread's event loop for hundreds of milliseconds, which would be counted as the
 * server's.
 */
function pollHealth(baseUrl: string) {
  const poller = new Worker(new URL("./health-poller.ts", import.meta.url).href);
  const started = new Promise<void>((resolve) => {
    poller.onmessage = () => resolve();
  });
  poller.postMessage({ url: `${baseUrl}/healthz`, intervalMs });
  return {
    started,
    async stop(): Promise<{ latencies: number[]; failures: number }> {
      const result = new Promise<{ latencies: number[]; failures: number }>((resolve) => {
        poller.onmessage = (message) => resolve(message.data);
      });
      poller.postMessage("stop");
      const polled = await result;
      poller.terminate();
      return polled;
    },
  };
}

const MB = 1024 * 1024;

/**
 * Sent with curl, not fetch: fetch sending a 24 MB body held this process's CPU for up to
 * a second, time taken from the server on a small machine and counted in its latency.
 */
async function send(upload: Upload, name: string) {
  const bodyFile = join(work, `${name}.json`);
  const answerFile = join(work, `${name}.answer`);
  await Bun.write(bodyFile, upload.body);
  const headers = Object.entries(upload.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const sentAt = performance.now();
  const curl = Bun.spawn(
    [
      "curl",
      "-sS",
      "-o",
      answerFile,
      "-w",
      "%{http_code}",
      ...headers,
      "--data-binary",
      `@${bodyFile}`,
      `${rig.baseUrl}${upload.path}`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err] = [
    await new Response(curl.stdout).text(),
    await new Response(curl.stderr).text(),
  ];
  await curl.exited;
  const ms = performance.now() - sentAt;
  const status = Number(out) || 0;
  const ok = status >= 200 && status < 300;
  const error = ok ? "" : err.trim() || (await Bun.file(answerFile).text()).slice(0, 200);
  rmSync(bodyFile, { force: true });
  rmSync(answerFile, { force: true });
  return { size: upload.body.byteLength, status, ms, error };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

const rig = await setUpRig({
  database,
  name: "large",
  seed: 1,
  receiverFailureRate: 0,
  binary: values.binary,
  settings: { LOG_LEVEL: "info" },
});
const instance = await rig.start();
const work = mkdtempSync(join(tmpdir(), "hookyard-large-bodies-"));
let worstMs = 0;
let allAnswered = true;
try {
  console.log(
    `large bodies: ${bodies} × ~${(size / MB).toFixed(1)} MB to ${route}, ${rig.database.kind}, ${rounds} round(s)`,
  );
  for (let round = 1; round <= rounds; round++) {
    const uploads = Array.from({ length: bodies }, (_, n) =>
      route === "entity" ? entityUpload(n, round) : githubUpload(n, round),
    );
    // A quiet moment first: the bodies were just built here, and the server is warm.
    await fetch(`${rig.baseUrl}/healthz`);
    const poller = pollHealth(rig.baseUrl);
    await poller.started;
    const answers = await Promise.all(uploads.map((upload, n) => send(upload, `${round}-${n}`)));
    // A little longer: what the server does after answering (logging, freeing) counts too.
    await Bun.sleep(250);
    const { latencies, failures } = await poller.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    const max = sorted.at(-1) ?? 0;
    worstMs = Math.max(worstMs, max);
    console.log(`round ${round}:`);
    for (const answer of answers) {
      if (answer.status < 200 || answer.status >= 300) allAnswered = false;
      console.log(
        `  upload ${(answer.size / MB).toFixed(1)} MB → ${answer.status} after ${answer.ms.toFixed(0)} ms${answer.error ? ` ${answer.error}` : ""}`,
      );
    }
    console.log(
      `  /healthz: ${latencies.length} answers, max ${max.toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, p50 ${percentile(sorted, 50).toFixed(1)} ms, ${failures} failed`,
    );
  }
} finally {
  await instance.kill("SIGTERM");
  await rig.close(false);
  rmSync(work, { recursive: true, force: true });
}
const passed = worstMs < targetMs && allAnswered;
console.log(
  `${passed ? "PASS" : "FAIL"}: /healthz max ${worstMs.toFixed(1)} ms (target < ${targetMs} ms)${allAnswered ? "" : "; an upload was not answered 2xx"}`,
);
process.exit(passed ? 0 : 1);
