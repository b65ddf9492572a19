#!/usr/bin/env bun
/**
 * Where a stored GitHub push's time goes on SQLite's serving thread: each step hookyard
 * takes, timed alone over the same ~4.3 KB pushes the ingest benchmark sends, beside the
 * bare baseline's whole work (parse, serialize, insert one row). With the serving thread
 * busy all the time under wrk (the ingest benchmark's load), these sums set its
 * throughput; HTTP, routing and the answer come on top of both.
 *
 *   bun scripts/bench/ingest-sqlite-floor.ts [--pushes 40000] [--batch 20] [--rounds 3]
 *
 * hookyard's writes go in batches of `--batch`, the group commit's usual size under the
 * benchmark's 32 connections; the baseline commits each row as it does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { decodeGitHubBody } from "../../src/ingest/github/body.ts";
import { pushToChange } from "../../src/ingest/github/push.ts";
import { signGitHubPayload, verifyGitHubSignature } from "../../src/ingest/github/signature.ts";
import { newId } from "../../src/lib/ids.ts";
import { reusableJsonText } from "../../src/lib/storable.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import {
  type EventInsert,
  eventInsert,
  insertEvent,
  prepareRecordStatements,
} from "../../src/store/sqlite/record-event.ts";
import { openBaselineStore } from "./baseline-store.ts";
import { machineLine, median } from "./lib.ts";
import { benchPush } from "./push-payload.ts";

const { values } = parseArgs({
  options: {
    pushes: { type: "string", default: "40000" },
    batch: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
  },
});
const PUSHES = Number(values.pushes);
const BATCH = Number(values.batch);
const ROUNDS = Math.max(1, Number(values.rounds) || 1);

const SECRET = "bench-secret";
const payload = benchPush();
const text = JSON.stringify(payload);
const bytes = new TextEncoder().encode(text);
const signature = signGitHubPayload(SECRET, bytes);
/** The headers a push is kept with (src/ingest/github/index.ts). */
const headers = {
  "x-github-event": "push",
  "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
  "x-github-hook-id": "292430182",
  "user-agent": "GitHub-Hookshot/044aadd",
  "content-type": "application/json",
};

/** µs per push of `step`, run PUSHES times. */
function timed(step: () => unknown): number {
  const started = performance.now();
  for (let i = 0; i < PUSHES; i++) step();
  return ((performance.now() - started) * 1000) / PUSHES;
}

function row(): EventInsert {
  const receivedAt = new Date();
  const decision = pushToChange(payload, receivedAt);
  return eventInsert(
    newId(),
    {
      source: "github",
      type: "github.push",
      entityType: "repository",
      entityId: "octo-org/octo-repo",
      action: null,
      occurredAt: receivedAt,
      receivedAt,
      payload,
      payloadText: text,
      headers,
      dedupeKey: newId(),
    },
    decision.kind === "change" ? decision.change : undefined,
    [],
  );
}

/** hookyard's write of PUSHES pushes, in batches, on a migrated database; µs per push. */
async function hookyardWrite(dir: string, dropListIndexes: boolean): Promise<number> {
  const store = SqliteStore.open(join(dir, `hookyard-${dropListIndexes}.db`));
  await store.migrate();
  if (dropListIndexes) {
    for (const index of ["received", "source_received", "type_received", "entity"]) {
      store.sqlite.run(`drop index events_${index}_idx`);
    }
  }
  const statements = prepareRecordStatements(store.sqlite);
  const writeBatch = store.sqlite.transaction((rows: readonly EventInsert[]) =>
    rows.map((each) => insertEvent(statements, each)),
  );
  const rows = Array.from({ length: PUSHES }, row);
  const started = performance.now();
  for (let i = 0; i < PUSHES; i += BATCH) writeBatch(rows.slice(i, i + BATCH));
  const micros = ((performance.now() - started) * 1000) / PUSHES;
  await store.close();
  return micros;
}

/** The baseline server's whole work for one push, on its own store; µs per push. */
async function baselineWrite(dir: string): Promise<number> {
  const baseline = await openBaselineStore(`sqlite:${join(dir, "baseline.db")}`);
  // Its SQLite insert runs synchronously inside the promise, as in the server.
  const micros = timed(() => baseline.insert(JSON.stringify(JSON.parse(text))));
  await baseline.close();
  return micros;
}

type Figures = Record<string, number>;
const rounds: Figures[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), "hookyard-floor-"));
  const figures: Figures = {};
  figures["baseline: parse, serialize and insert one row"] = await baselineWrite(dir);
  figures["signature (HMAC-SHA256 of the body)"] = timed(() =>
    verifyGitHubSignature([SECRET], signature, bytes),
  );
  figures["body: UTF-8, JSON.parse, storable checks"] = timed(() => {
    const decoded = decodeGitHubBody("application/json", bytes);
    if (decoded.ok) reusableJsonText(decoded.text);
  });
  figures["the row: ids, push rule, headers' and change's JSON"] = timed(row);
  figures["write: event, five indexes, changes row"] = await hookyardWrite(dir, false);
  figures["write, without the four list indexes"] = await hookyardWrite(dir, true);
  rounds.push(figures);
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `serving-thread µs per push, ${PUSHES} pushes of ${bytes.length} bytes, batches of ${BATCH};`,
);
console.log(`${machineLine()}; medians of ${ROUNDS} rounds`);
console.log("| step | µs per push |");
console.log("|---|---|");
for (const name of Object.keys(rounds[0] ?? {})) {
  console.log(`| ${name} | ${median(rounds.map((figures) => figures[name] ?? 0)).toFixed(1)} |`);
}
