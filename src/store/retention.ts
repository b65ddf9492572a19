/** Deleting what is past the retention window, in bounded batches. */
export interface RetentionStore {
  /**
   * Deletes up to `limit` of the oldest events received before `cutoff`, with their
   * deliveries and attempts; returns how many events were deleted. `changes` rows stay.
   */
  deleteEventsBefore(cutoff: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` finished relay messages (sent, failed, rejected) received before `cutoff`. */
  deleteRelayMessagesBefore(cutoff: Date, limit: number): Promise<number>;
}

/** Relay messages still waiting (queued, held) are never pruned: they hold undelivered events. */
export const FINISHED_RELAY_STATUSES = ["sent", "failed", "rejected"] as const;
