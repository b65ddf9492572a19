/** Named trigger hooks: a uuid that, when called, runs the handler for its user id. */
export interface Hook {
  readonly id: string;
  readonly userid: string;
  readonly createdAt: Date;
  readonly lastTriggeredAt: Date | null;
  readonly triggerCount: number;
}

export interface HookStore {
  create(userid: string, now: Date): Promise<Hook>;
  get(id: string): Promise<Hook | undefined>;
  /** Newest first. */
  list(limit: number): Promise<readonly Hook[]>;
  /** False when there was no such hook. */
  delete(id: string): Promise<boolean>;
  /** Counts a trigger; false when the hook is gone. */
  markTriggered(id: string, at: Date): Promise<boolean>;
}
