#!/usr/bin/env bun
/**
 * Benchmark: entity update events (the brief's example shape) posted by wrk to the
 * compiled hookyard and to the minimal baseline, on SQLite and PostgreSQL.
 *
 *   bun scripts/bench/ingest-entities.ts [--duration 15] [--connections 32] [--rounds 3]
 *       [--postgres URL] [--no-sqlite]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compareWithBaseline } from "./compare.ts";
import { buildBinary, requireWrk } from "./lib.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    postgres: { type: "string", default: process.env.TEST_DATABASE_URL ?? "" },
    "no-build": { type: "boolean", default: false },
    "no-sqlite": { type: "boolean", default: false },
  },
});

requireWrk();
if (!values["no-build"]) buildBinary();
const work = mkdtempSync(join(tmpdir(), "hookyard-bench-"));
const body = JSON.stringify({
  action: "update",
  entity_type: "task",
  time: "2021-12-21T08:51:22Z",
  id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
  modified_fields: ["assignee", "status"],
  payload: {
    name: "task name",
    status: "in progress",
    assignee_id: "5428abf6-0f4c-4448-b619-fc9f4327619b",
    description: "Review the storyboard and attach notes for the next version.",
  },
});
const bodyFile = join(work, "event.json");
await Bun.write(bodyFile, body);

await compareWithBaseline({
  title: `entity event, ${body.length} bytes`,
  work,
  postgres: values.postgres,
  sqlite: !values["no-sqlite"],
  connections: Number(values.connections),
  durationSeconds: Number(values.duration),
  rounds: Math.max(1, Number(values.rounds) || 1),
  path: "/webhooks/event",
  env: {},
  script: join(import.meta.dir, "post-json.lua"),
  scriptArgs: [bodyFile],
});
rmSync(work, { recursive: true, force: true });
