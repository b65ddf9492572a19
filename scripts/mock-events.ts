#!/usr/bin/env bun
/**
 * Sends a realistic stream of entity events to a running hookyard's POST /webhooks/event:
 * tasks, components, projects, users and asset versions being created, updated and now
 * and then deleted, each created before it is updated. Run with --help for usage.
 *
 * The generator is pure and seeded (exported for its unit test); the rest is the CLI.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Webhook } from "svix";
import type { EntityEventBody } from "../src/ingest/entities/model.ts";
import type { JsonObject } from "../src/lib/json.ts";

/** mulberry32: tiny, fast and good enough to make test data repeatable from a seed. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => int(0, 15).toString(16)).join("");
  const uuid = () =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;
  return { next, int, pick, uuid, chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof seededRandom>;

const TYPE_NAMES = ["task", "component", "asset_version", "user", "project"] as const;
type EntityTypeName = (typeof TYPE_NAMES)[number];

/** Ids of every entity in the run by type, so references (assignees, tasks) point at real ones. */
type World = Readonly<Record<EntityTypeName, readonly string[]>>;
/** `record`: the entity's fields so far (a create's earlier fields, or the current state). */
type FieldMaker = (r: Random, world: World, record: JsonObject) => unknown;

const FIRST = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Hedy", "Alan", "Joan", "Radia"];
const LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Lamarr", "Kay", "Clarke"];
const VERBS = ["Model", "Rig", "Texture", "Animate", "Light", "Comp", "Review", "Render", "Layout"];
const THINGS = ["hero prop", "main character", "forest set", "shot 010", "shot 020", "vehicle"];
const PROJECTS = ["Northern Lights", "Blue Harbor", "Paper Moon", "Iron Garden", "Silent Orbit"];
const two = (n: number) => String(n).padStart(2, "0");
const dayIn = (year: number) => (r: Random) => `${year}-${two(r.int(1, 12))}-${two(r.int(1, 28))}`;

const taskStatus: FieldMaker = (r) =>
  r.pick(["not_started", "in_progress", "pending_review", "approved", "on_hold"]);
const reviewStatus: FieldMaker = (r) => r.pick(["draft", "pending_review", "approved", "rejected"]);
const comment: FieldMaker = (r) =>
  r.pick(["Fixed the normals", "Updated per notes", "Ready for review", "Lighting pass 2", "WIP"]);

/** Per type: its share of the entities, a new record's fields, and what an update may change. */
interface EntityKind {
  readonly share: number;
  readonly fields: Readonly<Record<string, FieldMaker>>;
  readonly changes: readonly string[];
}

const KINDS: Readonly<Record<EntityTypeName, EntityKind>> = {
  task: {
    share: 0.35,
    fields: {
      name: (r) => `${r.pick(VERBS)} ${r.pick(THINGS)}`,
      status: taskStatus,
      assignee_id: (r, w) => r.pick(w.user),
      project_id: (r, w) => r.pick(w.project),
      priority: (r) => r.int(1, 5),
      bid_hours: (r) => r.int(1, 80),
      due_date: dayIn(2023),
    },
    changes: ["status", "assignee_id", "priority", "bid_hours", "due_date", "name"],
  },
  component: {
    share: 0.2,
    fields: {
      name: (r) => r.pick(["image name", "thumbnail", "render", "preview", "main", "proxy"]),
      file_type: (r) => r.pick(["jpeg", "png", "exr", "mov", "abc", "usd"]),
      size: (r) => r.int(10_000, 900_000_000),
      version_id: (r, w) => r.pick(w.asset_version),
    },
    changes: ["name", "file_type", "size"],
  },
  asset_version: {
    share: 0.2,
    fields: {
      name: (r) =>
        `${r.pick(THINGS).replaceAll(" ", "_")}_v${String(r.int(1, 30)).padStart(3, "0")}`,
      status: reviewStatus,
      task_id: (r, w) => r.pick(w.task),
      user_id: (r, w) => r.pick(w.user),
      comment,
      is_published: (r) => r.chance(0.3),
    },
    changes: ["status", "comment", "is_published"],
  },
  user: {
    share: 0.17,
    fields: {
      name: (r) => `${r.pick(FIRST)} ${r.pick(LAST)}`,
      email: (r, _world, user) =>
        `${String(user.name).toLowerCase().replace(" ", ".")}@${r.pick(["example.com", "studio.example"])}`,
      is_active: (r) => r.chance(0.9),
      time_zone: (r) => r.pick(["Europe/Stockholm", "America/Los_Angeles", "Asia/Tokyo", "UTC"]),
    },
    changes: ["email", "is_active", "time_zone"],
  },
  project: {
    share: 0.08,
    fields: {
      name: (r) => `${r.pick(PROJECTS)} ${r.int(2021, 2024)}`,
      status: (r) => r.pick(["active", "on_hold", "archived"]),
      start_date: dayIn(2022),
      end_date: dayIn(2023),
    },
    changes: ["status", "end_date", "name"],
  },
};

export interface MockStreamOptions {
  readonly seed: number;
  /** How many distinct entities the stream is about. */
  readonly entities: number;
  /** The first event's time; later ones follow 0.2-15 s apart. */
  readonly start: Date;
}

interface MockEntity {
  readonly type: EntityTypeName;
  readonly id: string;
  state?: JsonObject;
  deleted: boolean;
}

const secondsOnly = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * An endless, repeatable stream of valid entity events. An entity's first event is a
 * create; updates change one to three fields (`modified_fields` names exactly those) and
 * carry the entity's name too, as real senders do; about 3 % are deletes, after which the
 * entity's next event is a create again.
 */
export function* mockEntityEvents(options: MockStreamOptions): Generator<EntityEventBody> {
  const r = seededRandom(options.seed);
  const pool: MockEntity[] = Array.from({ length: Math.max(1, options.entities) }, (_, i) => ({
    type: typeAt(i),
    id: r.uuid(),
    deleted: false,
  }));
  const world = Object.fromEntries(
    TYPE_NAMES.map((type) => [type, pool.filter((e) => e.type === type).map((e) => e.id)]),
  ) as Record<EntityTypeName, string[]>;
  // A type with no entity of its own (tiny --entities) still needs ids to refer to.
  for (const type of TYPE_NAMES) if (world[type].length === 0) world[type].push(r.uuid());

  const live: MockEntity[] = [];
  let clock = options.start.getTime();
  for (;;) {
    const entity = live.length > 0 && r.chance(0.55) ? r.pick(live) : r.pick(pool);
    const time = secondsOnly(clock);
    clock += r.int(200, 15_000);
    const kind = KINDS[entity.type];

    if (!entity.state || entity.deleted) {
      const record: JsonObject = { id: entity.id };
      for (const [key, make] of Object.entries(kind.fields)) record[key] = make(r, world, record);
      entity.state = record;
      entity.deleted = false;
      live.push(entity);
      yield {
        action: "create",
        entity_type: entity.type,
        time,
        ...(r.chance(0.25) ? { id: entity.id } : {}),
        payload: { ...entity.state },
      };
    } else if (r.chance(0.03)) {
      entity.deleted = true;
      live.splice(live.indexOf(entity), 1);
      yield { action: "delete", entity_type: entity.type, time, id: entity.id, payload: {} };
    } else {
      const changed = changeSome(r, world, kind, entity.state);
      entity.state = { ...entity.state, ...changed };
      yield {
        action: "update",
        entity_type: entity.type,
        time,
        id: entity.id,
        modified_fields: Object.keys(changed),
        payload: { name: entity.state.name, ...changed },
      };
    }
  }
}

export function generateMockEvents(count: number, options: MockStreamOptions): EntityEventBody[] {
  const events: EntityEventBody[] = [];
  for (const event of mockEntityEvents(options)) {
    if (events.length >= count) break;
    events.push(event);
  }
  return events;
}

/** Types spread over the pool by their shares, interleaved so any prefix is mixed. */
function typeAt(index: number): EntityTypeName {
  // The golden ratio's fractional multiples fill [0, 1) evenly whatever the count.
  const position = (index * 0.618034) % 1;
  let cumulative = 0;
  for (const type of TYPE_NAMES) {
    cumulative += KINDS[type].share;
    if (position < cumulative) return type;
  }
  return "task";
}

function changeSome(r: Random, world: World, kind: EntityKind, current: JsonObject): JsonObject {
  const changed: JsonObject = {};
  const wanted = r.int(1, 3);
  // Bounded: a field whose new value equals the old is no change, so draw again.
  for (let tries = 0; tries < 50 && Object.keys(changed).length < wanted; tries++) {
    const key = r.pick(kind.changes);
    const value = kind.fields[key]?.(r, world, current);
    if (value !== current[key] && !(key in changed)) changed[key] = value;
  }
  return changed;
}

// ---- The CLI ---------------------------------------------------------------------------

const USAGE = `Usage: bun scripts/mock-events.ts [options]

Posts a stream of entity events (create/update/delete across several entity types) to
hookyard, printing progress on stderr and a summary on stdout; exits 1 unless every
answer was 2xx.

  --url URL            endpoint (default http://localhost:8000/webhooks/event)
  --count N            events to send (default 500)
  --rate R             events per second, 0 = as fast as possible (default 20)
  --entities N         distinct entities (default 300)
  --concurrency N      requests in flight (default 4; 1 keeps arrival in time order)
  --secret whsec_…     Standard Webhooks secret (default: $EVENTS_WEBHOOK_SECRET; unsigned if unset)
  --seed N             seed for a repeatable stream (default: random, and printed)
  --dry-run            print the events as JSON lines instead of sending them
  --help               this text
`;

function usageError(message: string): never {
  process.stderr.write(`${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function readOptions() {
  let values: ReturnType<typeof parse>["values"];
  function parse() {
    return parseArgs({
      options: {
        url: { type: "string", default: "http://localhost:8000/webhooks/event" },
        count: { type: "string", default: "500" },
        rate: { type: "string", default: "20" },
        entities: { type: "string", default: "300" },
        concurrency: { type: "string", default: "4" },
        secret: { type: "string", default: process.env.EVENTS_WEBHOOK_SECRET ?? "" },
        seed: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const number = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || value < min)
      usageError(`--${name}: expected a number ≥ ${min}, got "${text}"`);
    return value;
  };
  if (!URL.canParse(values.url)) usageError(`--url: not a URL: ${values.url}`);
  let webhook: Webhook | undefined;
  try {
    webhook = values.secret ? new Webhook(values.secret) : undefined;
  } catch (error) {
    usageError(`--secret: expected whsec_ followed by base64 (${(error as Error).message})`);
  }
  return {
    url: values.url,
    count: Math.floor(number("count", values.count, 1)),
    rate: number("rate", values.rate, 0),
    entities: Math.floor(number("entities", values.entities, 1)),
    concurrency: Math.floor(number("concurrency", values.concurrency, 1)),
    seed: Math.floor(number("seed", values.seed ?? String(Math.floor(Math.random() * 2 ** 31)), 0)),
    dryRun: values["dry-run"],
    webhook,
  };
}

function headersFor(body: string, webhook: Webhook | undefined): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (!webhook) return headers;
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  headers["webhook-id"] = id;
  headers["webhook-timestamp"] = String(Math.floor(now.getTime() / 1000));
  headers["webhook-signature"] = webhook.sign(id, now, body);
  return headers;
}

async function main() {
  const options = readOptions();
  const stream = mockEntityEvents({ ...options, start: new Date(Date.now() - 3_600_000) });
  if (options.dryRun) {
    for (let i = 0; i < options.count; i++)
      process.stdout.write(`${JSON.stringify(stream.next().value)}\n`);
    return;
  }
  process.stderr.write(
    `POST ${options.url}: ${options.count} events about ${options.entities} entities, ${options.rate || "max"}/s, seed ${options.seed}, ${options.webhook ? "signed" : "unsigned"}\n`,
  );

  let next = 0;
  let sent = 0;
  let succeeded = 0;
  const failures = new Map<string, { count: number; sample: string }>();
  const fail = (key: string, sample: string) => {
    const seen = failures.get(key);
    failures.set(key, { count: (seen?.count ?? 0) + 1, sample: seen?.sample ?? sample });
  };
  const started = performance.now();
  const rate = () => (sent / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1);
  const progress = () =>
    `${sent}/${options.count} sent, ${succeeded} 2xx, ${sent - succeeded} errors, ${rate()}/s`;
  const ticker = setInterval(() => process.stderr.write(`  ${progress()}\n`), 1000);

  async function worker() {
    while (next < options.count) {
      const index = next++;
      if (options.rate > 0) {
        const wait = started + (index * 1000) / options.rate - performance.now();
        if (wait > 0) await Bun.sleep(wait);
      }
      const body = JSON.stringify(stream.next().value);
      try {
        const response = await fetch(options.url, {
          method: "POST",
          headers: headersFor(body, options.webhook),
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.ok) succeeded++;
        else fail(String(response.status), text.slice(0, 300));
      } catch (error) {
        fail("network", (error as Error).message);
      }
      sent++;
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearInterval(ticker);

  process.stdout.write(
    `done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${progress()}\n`,
  );
  for (const [status, { count, sample }] of failures) {
    process.stdout.write(`  ${status}: ${count} (e.g. ${sample})\n`);
  }
  process.exit(failures.size === 0 ? 0 : 1);
}

if (import.meta.main) await main();
