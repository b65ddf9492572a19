/**
 * Sources: the gateway's named inbound URLs (`POST /in/<name>`), each with the settings of
 * the check its sender must pass (../sources/providers/). The store keeps those settings
 * as JSON and leaves reading them to the sources feature, which reads them again whenever
 * it loads them: a row changed by hand is refused there, not trusted.
 */

/** What names a source may take: a URL path segment and an event type's first part. */
export const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export interface SourceRecord {
  readonly name: string;
  /** The verifier's settings as JSON, secrets included. */
  readonly verifier: unknown;
  /** A template for the event type; null: the provider's own field. */
  readonly eventType: string | null;
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewSource {
  readonly name: string;
  readonly verifier: unknown;
  readonly eventType: string | null;
  readonly description: string;
}

export type SourcePatch = Partial<Omit<NewSource, "name">>;

export interface SourceStore {
  /** "exists" when a source of that name is stored already; nothing is changed then. */
  create(source: NewSource, now: Date): Promise<SourceRecord | "exists">;
  get(name: string): Promise<SourceRecord | undefined>;
  /** By name. */
  list(): Promise<readonly SourceRecord[]>;
  update(name: string, patch: SourcePatch, now: Date): Promise<SourceRecord | undefined>;
  /** False when there was no such source. Its events stay, until retention. */
  delete(name: string): Promise<boolean>;
}
