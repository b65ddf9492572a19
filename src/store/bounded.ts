/**
 * A database call that never settles stalls whatever awaits it, for good: a worker's
 * loop waiting on its claim never claims again. postgres.js can leave a query unsettled
 * when its connection is reset in the middle of it (porsager/postgres#1130 is the same
 * state seen from `end()`), and in one CI run the delivery worker stopped after a
 * database outage in just that way. Bounded, such a call fails like an unreachable
 * database, and its caller's retry takes over.
 */

import { timeLimit } from "../lib/time-limit.ts";

/** Counts as the database being unavailable (../store/errors.ts): the caller retries. */
export class DatabaseTimeout extends Error {
  readonly code = "ETIMEDOUT";
  constructor(what: string, ms: number) {
    super(`${what}: no answer from the database within ${ms} ms`);
    this.name = "DatabaseTimeout";
  }
}

/** `call`, or a DatabaseTimeout once `ms` have passed without it settling. */
export function bounded<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  return timeLimit(call, ms, () => {
    throw new DatabaseTimeout(what, ms);
  });
}
