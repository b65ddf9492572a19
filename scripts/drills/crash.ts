#!/usr/bin/env bun
/**
 * Crash drill: hookyard under a mixed load (./load.ts: GitHub pushes, entity events,
 * relay events, triggers, hooks) is killed with SIGKILL at random moments, `--kills`
 * times, and restarted on the same port and database each time. Then the load stops,
 * everything drains, and the drill counts:
 *
 * - messages: sent, answered 2xx, stored; lost = answered 2xx but not stored (must be 0);
 * - deliveries: expected (stored events × matching endpoints), delivered at the receivers,
 *   duplicates at the receivers (allowed: delivery is at least once, but reported);
 * - relay: messages stored, messages the fake Svix stored, duplicates there (must be 0:
 *   Svix dedupes on the event id and the idempotency key, so a resend is not a message).
 *
 * Exits 1 on a loss, an effective Svix duplicate, or anything left undelivered.
 *
 *   bun scripts/drills/crash.ts [--database sqlite|postgres://…] [--kills 10] [--rate 60]
 *       [--seed N] [--binary] [--keep]
 *
 * --database names a PostgreSQL server; the drill makes a fresh database on it and drops
 * it afterwards (--keep keeps it). --binary runs dist/hookyard instead of src/main.ts.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { matchesEventType } from "../../src/delivery/event-types.ts";
import type { TimeCursor } from "../../src/store/cursor.ts";
import type { Delivery } from "../../src/store/deliveries.ts";
import type { StoredEvent } from "../../src/store/events.ts";
import type { RelayMessage } from "../../src/store/relay.ts";
import type { HookyardProcess } from "../../test/support/processes.ts";
import { ENDPOINT_FILTERS, MixedLoad, seededRandom, type Tracked } from "./load.ts";
import { drained, readAll, setUpRig } from "./rig.ts";

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "sqlite" },
    kills: { type: "string", default: "10" },
    rate: { type: "string", default: "60" },
    seed: { type: "string", default: String(Math.floor(Math.random() * 1e9)) },
    binary: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const KILLS = Number(values.kills);
const RATE = Number(values.rate);
const SEED = Number(values.seed);
if (!(KILLS >= 1 && RATE > 0 && Number.isInteger(SEED))) {
  console.error("--kills, --rate and --seed must be positive numbers");
  process.exit(2);
}
const random = seededRandom(SEED);
/** performance.now() of each SIGKILL. */
const killedAt: number[] = [];
/** The drill's hookyard runs with the default DELIVERY_CONCURRENCY. */
const IN_FLIGHT_LIMIT = loadConfig({}).deliveryConcurrency;

const rig = await setUpRig({
  database: values.database,
  name: "crash",
  seed: SEED,
  receiverFailureRate: 0.1,
  binary: values.binary,
});
// Slow answers keep relay sends in flight when the kill comes.
rig.svix.setFailureRate(0.2, { kind: "slow", delayMs: 300 }, SEED);
console.log(
  `crash drill: ${rig.database.kind}, ${KILLS} kills, ${RATE} messages/s, seed ${SEED}, hookyard from ${rig.command}`,
);

let exitCode = 0;
try {
  exitCode = await drill();
} finally {
  await rig.close(values.keep);
}
process.exit(exitCode);

async function drill(): Promise<number> {
  let instance: HookyardProcess = await rig.start();
  const warnings: Record<string, unknown>[] = [];
  const { endpointIds, hookId } = await rig.provision(instance);
  const load = new MixedLoad({ rate: RATE, seed: SEED, baseUrl: rig.baseUrl, hookId });
  load.start();
  let kills = 0;
  while (kills < KILLS) {
    // The random moment: anywhere from just after start-up to three seconds of load.
    const upFor = Math.round(100 + random() * 2_900);
    await Bun.sleep(upFor);
    await instance.kill("SIGKILL");
    killedAt.push(performance.now());
    warnings.push(...instance.logs);
    console.log(
      `  kill ${++kills}: after ${upFor} ms of serving; ${load.messages.length} messages so far`,
    );
    // Now and then the next start-up dies too: while opening the database, migrating,
    // or starting the workers, as a crash loop would.
    if (kills < KILLS && random() < 0.3) {
      const { instance: starting, listening } = await rig.spawn();
      let listened = false;
      listening.then(
        () => {
          listened = true;
        },
        () => {},
      );
      const into = Math.round(random() * 800);
      await Bun.sleep(into);
      await starting.kill("SIGKILL");
      killedAt.push(performance.now());
      warnings.push(...starting.logs);
      console.log(
        `  kill ${++kills}: ${into} ms into start-up (${listened ? "listening already" : "not listening yet"})`,
      );
    }
    const started = performance.now();
    instance = await rig.start();
    console.log(`    back in ${Math.round(performance.now() - started)} ms`);
  }
  await Bun.sleep(2_000); // a last stretch of load on the final instance
  await load.stop();
  const drainStarted = performance.now();
  await drained(rig.baseUrl, 180_000);
  console.log(
    `  drained ${Math.round(performance.now() - drainStarted)} ms after the load stopped`,
  );
  const code = await instance.kill("SIGTERM");
  warnings.push(...instance.logs);
  return report(load, endpointIds, warnings, code);
}

async function report(
  load: MixedLoad,
  endpointIds: string[],
  warnings: Record<string, unknown>[],
  lastExit: number,
): Promise<number> {
  const store = rig.openStore();
  let events: StoredEvent[];
  let relay: RelayMessage[];
  let deliveries: Delivery[];
  try {
    events = await readAll<StoredEvent, TimeCursor>((after) =>
      store.events.list({}, { limit: 500, after }),
    );
    relay = await readAll<RelayMessage, TimeCursor>((after) =>
      store.relay.list({}, { limit: 500, after }),
    );
    deliveries = await readAll<Delivery, TimeCursor>((after) =>
      store.deliveries.list({}, { limit: 500, after }),
    );
  } finally {
    await store.close();
  }
  const problems: string[] = [];
  if (lastExit !== 0) problems.push(`the last instance exited ${lastExit} on SIGTERM, not 0`);

  // Messages: every 2xx must be stored.
  const byHeader = (name: string) => {
    const counts = new Map<string, number>();
    for (const event of events) {
      const key = event.headers[name];
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const githubKeys = byHeader("x-github-delivery");
  const entityKeys = byHeader("idempotency-key");
  const eventIds = new Set(events.map((event) => event.id));
  const relayKeys = new Map<string, number>();
  for (const m of relay) {
    const key = `${m.project}/${m.eventId}`;
    relayKeys.set(key, (relayKeys.get(key) ?? 0) + 1);
  }
  const isStored = (m: Tracked): boolean | undefined => {
    if (m.kind === "github") return githubKeys.has(m.key);
    if (m.kind === "entity") return entityKeys.has(m.key);
    if (m.kind === "notification") return relayKeys.has(m.key);
    // Triggers and hooks carry no key of ours: only an answer names their event.
    return m.eventId === undefined ? undefined : eventIds.has(m.eventId);
  };
  const acked = load.messages.filter((m) => m.acked !== undefined);
  const lost = acked.filter((m) => !isStored(m));
  const storedUnanswered = load.messages.filter((m) => m.acked === undefined && isStored(m));
  const storedTwice = [
    ...githubKeys.values(),
    ...entityKeys.values(),
    ...relayKeys.values(),
  ].filter((n) => n > 1).length;
  console.log("\nmessages");
  console.log(
    `  sent ${load.messages.length} (${load.requests} requests with resends), 2xx ${acked.length}, stored ${acked.length - lost.length}, lost ${lost.length}`,
  );
  console.log(
    `  never answered 2xx: ${load.messages.length - acked.length} (of which stored anyway: ${storedUnanswered.length}); stored twice: ${storedTwice}`,
  );
  for (const [kind, row] of load.summary()) console.log(`    ${kind}: ${row.acked}/${row.sent}`);
  for (const m of lost.slice(0, 10)) console.log(`  LOST ${m.kind} ${m.key} (answered ${m.acked})`);
  if (lost.length > 0) problems.push(`${lost.length} message(s) answered 2xx but not stored`);
  if (storedTwice > 0) problems.push(`${storedTwice} message(s) stored twice`);

  // Deliveries: one per stored event and matching endpoint, each delivered.
  const expected = new Set<string>();
  for (const event of events) {
    for (const [i, filters] of ENDPOINT_FILTERS.entries()) {
      if (matchesEventType(filters, event.type)) expected.add(`${i}/${event.id}`);
    }
  }
  const indexOf = new Map(endpointIds.map((id, i) => [id, i]));
  const rows = new Set(deliveries.map((d) => `${indexOf.get(d.endpointId)}/${d.eventId}`));
  const missingRows = [...expected].filter((pair) => !rows.has(pair)).length;
  const notDelivered = deliveries.filter((d) => d.status !== "delivered");
  let atReceivers = 0;
  let duplicates = 0;
  // A copy is explained when a kill came between it and the one before: the first was
  // sent, and the instance died before recording it. Any other copy is a double claim.
  let unexplained = 0;
  /** Copies explained by each kill: at most the attempts one instance had in flight. */
  const copiesPerKill = killedAt.map(() => 0);
  for (const pair of expected) {
    const [i, eventId] = pair.split("/") as [string, string];
    const times = rig.receivers[Number(i)]?.acked.get(eventId) ?? [];
    if (times.length > 0) atReceivers++;
    duplicates += Math.max(0, times.length - 1);
    for (let copy = 1; copy < times.length; copy++) {
      const [previous, at] = [times[copy - 1] as number, times[copy] as number];
      const kill = killedAt.findIndex((when) => when > previous && when < at);
      if (kill === -1) unexplained++;
      else copiesPerKill[kill] = (copiesPerKill[kill] ?? 0) + 1;
    }
  }
  const worstKill = Math.max(0, ...copiesPerKill);
  const received = rig.receivers.flatMap((r) => r.receiver.requests);
  const requestsAtReceivers = received.length;
  const unverified = received.filter((r) => r.verified !== true).length;
  if (unverified > 0) problems.push(`${unverified} request(s) failed signature verification`);
  console.log("\ndeliveries");
  console.log(
    `  expected ${expected.size}, rows ${deliveries.length} (missing ${missingRows}), delivered in the database ${deliveries.length - notDelivered.length}`,
  );
  console.log(
    `  delivered at the receivers ${atReceivers}, duplicates there ${duplicates} (at least once; ${unexplained} without a kill in between), ${requestsAtReceivers} requests in all (10% answered 503, ${unverified} with a bad signature)`,
  );
  console.log(
    `  duplicates per kill: at most ${worstKill}, against ${IN_FLIGHT_LIMIT} attempts in flight (DELIVERY_CONCURRENCY)`,
  );
  if (unexplained > 0)
    problems.push(`${unexplained} delivery(ies) sent twice with no crash in between`);
  if (worstKill > IN_FLIGHT_LIMIT)
    problems.push(`${worstKill} duplicates after one kill, more than the attempts in flight`);
  for (const d of notDelivered.slice(0, 10))
    console.log(`  NOT DELIVERED ${d.id} ${d.status}: ${d.lastError}`);
  if (missingRows > 0) problems.push(`${missingRows} delivery row(s) missing`);
  if (notDelivered.length > 0) problems.push(`${notDelivered.length} delivery(ies) not delivered`);
  if (atReceivers < expected.size)
    problems.push(`${expected.size - atReceivers} delivery(ies) never reached the receiver`);

  // Relay: each stored message at Svix once.
  const atSvix = rig.svix.countByEventId();
  const sent = relay.filter((m) => m.status === "sent").length;
  const missingAtSvix = [...relayKeys.keys()].filter((key) => !atSvix.has(key)).length;
  const svixDuplicates = [...atSvix.values()].reduce((n, count) => n + count - 1, 0);
  const createRequests = rig.svix.requests.filter((r) => r.path.endsWith("/msg"));
  console.log("\nrelay");
  console.log(
    `  expected ${relayKeys.size}, sent in the database ${sent}, at Svix ${relayKeys.size - missingAtSvix} (missing ${missingAtSvix}), duplicates at Svix ${svixDuplicates}`,
  );
  console.log(
    `  ${createRequests.length} message requests to Svix, ${createRequests.filter((r) => r.status === 409).length} answered 409 (already there)`,
  );
  if (svixDuplicates > 0) problems.push(`${svixDuplicates} duplicate message(s) at Svix`);
  if (missingAtSvix > 0) problems.push(`${missingAtSvix} relay message(s) never reached Svix`);
  if (sent < relay.length) problems.push(`${relay.length - sent} relay message(s) not sent`);

  const byMessage = new Map<string, number>();
  for (const entry of warnings) {
    const msg = String(entry.msg);
    byMessage.set(msg, (byMessage.get(msg) ?? 0) + 1);
  }
  console.log("\nhookyard's warnings and errors");
  for (const [msg, n] of byMessage) console.log(`  ${n} × ${msg}`);

  console.log(problems.length === 0 ? "\nOK" : `\nFAILED: ${problems.join("; ")}`);
  return problems.length === 0 ? 0 : 1;
}
