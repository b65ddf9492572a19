/**
 * Group commit (../lib/group-commit.ts) for writes where one refused item must fail alone:
 * the batch is written whole, and if the database refuses it, each item is written again
 * on its own, so only the refused one fails and the others are stored. Not when the
 * database is unavailable (away, locked, read-only): every item would fail the same way,
 * each after its own wait (on SQLite, busy_timeout on the serving thread), so the whole
 * batch fails at once.
 */
import { type GroupCommitOptions, groupCommit, type WriteBatch } from "../lib/group-commit.ts";
import { isDatabaseUnavailable } from "./errors.ts";

type Outcome<R> = { readonly result: R } | { readonly error: unknown };

export function groupCommitEachAloneIfRefused<T, R>(
  write: WriteBatch<T, R>,
  options?: GroupCommitOptions,
): (item: T) => Promise<R> {
  const commit = groupCommit(async (batch: readonly T[]): Promise<Outcome<R>[]> => {
    try {
      return (await write(batch)).map((result) => ({ result }));
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) throw error;
    }
    return Promise.all(
      batch.map(async (item): Promise<Outcome<R>> => {
        try {
          const [result] = await write([item]);
          return { result: result as R };
        } catch (error) {
          return { error };
        }
      }),
    );
  }, options);
  return async (item) => {
    const outcome = await commit(item);
    if ("error" in outcome) throw outcome.error;
    return outcome.result;
  };
}
