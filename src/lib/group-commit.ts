/**
 * Group commit: many callers each write one item; the items that arrive while a write is
 * being committed go out together in the next one. A commit per item was most of what a
 * delivery cost (SQLite writes its pages to the WAL per commit; PostgreSQL pays a round
 * trip and a WAL flush), while a batch costs little more than one item.
 *
 * One write is in flight at a time (or `writers`). Under light load a batch is one item and
 * waits for no timer (the next turn of the event loop); under heavy load batches grow by
 * themselves.
 * A failed write rejects every caller of that batch; each decides whether to try again.
 */
export type WriteBatch<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

export interface GroupCommitOptions {
  /** The most items in one write. */
  readonly maxBatch?: number;
  /** Writes in flight at once: 1 where writes serialize anyway (SQLite). */
  readonly writers?: number;
}

export function groupCommit<T, R>(
  write: WriteBatch<T, R>,
  { maxBatch = 512, writers = 1 }: GroupCommitOptions = {},
): (item: T) => Promise<R> {
  interface Waiting {
    readonly item: T;
    readonly resolve: (result: R) => void;
    readonly reject: (error: unknown) => void;
  }
  let queue: Waiting[] = [];
  let writing = 0;

  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await write(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length) {
          throw new Error(`a batch of ${batch.length} was written with ${results.length} results`);
        }
        for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as R);
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    writing--;
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // Not at once: the other callers finishing in this turn of the event loop join in.
      if (writing < writers) {
        writing++;
        setImmediate(flush);
      }
    });
}
