/**
 * Group commit: many callers each write one item; the items that arrive while a write is
 * being committed go out together in the next one. A commit per item was most of what a
 * delivery cost (SQLite writes its pages to the WAL per commit; PostgreSQL pays a round
 * trip and a WAL flush), while a batch costs little more than one item.
 *
 * One write is in flight at a time (or `writers`). Under light load a batch is one item and
 * waits for no timer (the next turn of the event loop); under heavy load batches grow by
 * themselves. With several writers, what is queued is shared among the idle ones: a
 * writer that took everything left the others nothing to do, and since the callers it
 * answered all came back at once, it took everything again. On PostgreSQL that meant one
 * statement at a time on one core while the other stayed idle.
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
  /** Writers started, whether writing or about to look at the queue. */
  let writing = 0;
  /** Writers with a batch out, waiting for the database. */
  let busy = 0;

  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      // This writer's share: the queue split evenly among the writers not busy, itself included.
      const share = Math.ceil(queue.length / (writers - busy));
      const batch = queue.slice(0, Math.min(maxBatch, share));
      queue = queue.slice(batch.length);
      busy++;
      try {
        const results = await write(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length) {
          throw new Error(`a batch of ${batch.length} was written with ${results.length} results`);
        }
        for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as R);
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      } finally {
        busy--;
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
