#!/usr/bin/env bun
/**
 * Relay benchmark: N events posted to /notifications of the compiled hookyard, relayed to
 * the fake Svix (test/support/fake-svix-server.ts) which answers 429 to a share of the
 * message requests. Reports end-to-end messages/s and the duplicates and losses (both
 * must be 0), on SQLite and PostgreSQL.
 *
 *   bun scripts/bench/relay.ts [--events 10000] [--rate-limited 0.2] [--postgres URL]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startFakeSvix } from "../../test/support/fake-svix-server.ts";
import { buildBinary, freshDatabase, machineLine, withHookyard } from "./lib.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    "rate-limited": { type: "string", default: "0.2" },
    concurrency: { type: "string", default: "32" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
  },
});
const total = Number(values.events);
if (!values["no-build"]) buildBinary();
const work = mkdtempSync(join(tmpdir(), "hookyard-relay-"));
const rows: string[] = [];

for (const kind of values.postgres ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)) {
  const svix = await startFakeSvix();
  svix.setFailureRate(
    Number(values["rate-limited"]),
    { kind: "status", status: 429, retryAfterSeconds: 1 },
    42,
  );
  const db = await freshDatabase(kind, "relay", work, values.postgres);
  try {
    await withHookyard(
      {
        DATABASE_URL: db.url,
        SVIX_TOKEN: svix.token,
        SVIX_SERVER_URL: svix.url,
        LOG_LEVEL: "warn",
      },
      async (base) => {
        const start = performance.now();
        let next = 0;
        let accepted = 0;
        const poster = async () => {
          while (next < total) {
            const i = next++;
            const response = await fetch(`${base}/notifications`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                object: "event",
                id: `evt_${i}`,
                type: "user.created",
                project: `project-${i % 20}`,
                time: new Date().toISOString(),
                data: { n: i },
              }),
            });
            if (response.status === 202) accepted++;
          }
        };
        await Promise.all(Array.from({ length: Number(values.concurrency) }, poster));
        const ingested = performance.now();
        await svix.waitForMessages(total, 600_000);
        const done = performance.now();
        const counts = svix.countByEventId();
        const duplicates = [...counts.values()].filter((n) => n > 1).length;
        const losses = total - counts.size;
        const limited = svix.requests.filter((r) => r.status === 429).length;
        const seconds = (done - start) / 1000;
        console.log(
          `${kind}: ${total} events, ${accepted} accepted in ${((ingested - start) / 1000).toFixed(1)} s; all in Svix after ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} messages/s); ${limited} answers were 429; duplicates ${duplicates}, losses ${losses}`,
        );
        rows.push(
          `| ${kind} | ${total} | ${(total / seconds).toFixed(0)} | ${limited} | ${duplicates} | ${losses} |`,
        );
      },
    );
  } finally {
    await svix.stop();
    await db.drop();
  }
}
rmSync(work, { recursive: true, force: true });
console.log(
  `\n${machineLine()}; 429 to ${Number(values["rate-limited"]) * 100}% of message requests (Retry-After 1 s)`,
);
console.log("| database | events | messages/s end to end | 429 answers | duplicates | losses |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
