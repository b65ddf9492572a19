/**
 * A database call that never settles stalls whatever awaits it, for good: a worker's
 * loop waiting on its claim never claims again. postgres.js can leave a query unsettled
 * when its connection is reset in the middle of it (porsager/postgres#1130 is the same
 * state seen from `end()`), and in one CI run the delivery worker stopped after a
 * database outage in just that way. Bounded, such a call fails like an unreachable
 * database, and its caller's retry takes over.
 */

import { timeLimit } from "../lib/time-limit.ts";
import type { Store } from "./store.ts";

/** Counts as the database being unavailable (../store/errors.ts): the caller retries. */
export class DatabaseTimeout extends Error {
  readonly code = "ETIMEDOUT";
  constructor(
    what: string,
    /** How long the call was given. */
    readonly ms: number,
  ) {
    super(`${what}: no answer from the database within ${ms} ms`);
    this.name = "DatabaseTimeout";
  }
}

/**
 * A small query (a claim, a look at the next due time, taking or releasing a lock) is
 * answered in milliseconds; one not answered in this long never will be.
 */
export const SMALL_QUERY_LIMIT_MS = 10_000;

/**
 * How long PostgreSQL may spend on one text search (`q=`) before it cancels it
 * (PgEventStore.list; bun:sqlite has no way to interrupt a statement). A search
 * reads the payload of every event it passes, and one for a term found nowhere reads all
 * of them: 4.6-5.0 s over 1,000,000 events of ~1 KB here. Without a limit on the server,
 * a search the request gave up on (REQUEST_QUERY_LIMIT_MS in ../app.ts) ran on, and each
 * retry of an impatient user added another. Below that limit, so the answer says it was
 * the search rather than a silent database.
 */
export const SEARCH_LIMIT_MS = 7_000;

/** `call`, or a DatabaseTimeout once `ms` have passed without it settling. */
export function bounded<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  return timeLimit(call, ms, () => {
    throw new DatabaseTimeout(what, ms);
  });
}

/**
 * `store` as request handlers see it: each call bounded at `ms`, so that a request whose
 * query never answers (a network partition leaves it waiting on TCP for many minutes)
 * gets a 503 instead of hanging until Bun cuts its connection. The calls that run long by
 * design (migrate, close, a locked task, a subscription) are left as they are. SQLite is
 * returned unchanged: its calls run synchronously on this thread, so no timer could fire
 * before they return.
 */
export function boundedStore(store: Store, ms: number): Store {
  if (store.dialect === "sqlite") return store;
  return {
    dialect: store.dialect,
    events: boundedCalls(store.events, ms, "events"),
    changes: boundedCalls(store.changes, ms, "changes"),
    endpoints: boundedCalls(store.endpoints, ms, "endpoints"),
    endpointHealth: boundedCalls(store.endpointHealth, ms, "endpointHealth"),
    deliveries: boundedCalls(store.deliveries, ms, "deliveries"),
    relay: boundedCalls(store.relay, ms, "relay"),
    hooks: boundedCalls(store.hooks, ms, "hooks"),
    retention: boundedCalls(store.retention, ms, "retention"),
    recovery: boundedCalls(store.recovery, ms, "recovery"),
    charts: boundedCalls(store.charts, ms, "charts"),
    sources: boundedCalls(store.sources, ms, "sources"),
    migrate: () => store.migrate(),
    ping: () => bounded(store.ping(), ms, "ping"),
    tryExclusive: (name, task) => store.tryExclusive(name, task),
    wake: (queue) => bounded(store.wake(queue), ms, "wake"),
    onWake: (queue, listener) => store.onWake(queue, listener),
    broadcast: (topic, message) => store.broadcast(topic, message),
    onBroadcast: (topic, listener) => store.onBroadcast(topic, listener),
    close: () => store.close(),
  };
}

/** `part` with every method that answers a promise bounded at `ms`. */
function boundedCalls<T extends object>(part: T, ms: number, name: string): T {
  return new Proxy(part, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? bounded(result, ms, `${name}.${String(key)}`) : result;
      };
    },
  });
}
