/** Outbound endpoints: where events are delivered, for which types, signed with which secret. */
export interface Endpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string;
  /** `whsec_…`: the key deliveries are signed with. Never logged. */
  readonly secret: string;
  /** `*`, `github.*`, `task.update`…; empty means every type. */
  readonly eventTypes: readonly string[];
  /**
   * A payload filter as the user wrote it (../delivery/payload-filter/), checked when it
   * was written; null: every event of its types. Optional for endpoints made up elsewhere.
   */
  readonly filter?: unknown;
  readonly enabled: boolean;
  /** Why hookyard disabled it (e.g. the endpoint answered 410); null when enabled or disabled by hand. */
  readonly disabledReason: string | null;
  /**
   * Until when deliveries are signed with the secret before the last rotation too; null
   * when it was never rotated. In the past once that overlap has ended. Always read from
   * the store; optional for endpoints made up elsewhere (tests, previews).
   */
  readonly previousSecretUntil?: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewEndpoint {
  readonly url: string;
  readonly description: string;
  readonly secret: string;
  readonly eventTypes: readonly string[];
  readonly filter?: unknown;
  readonly enabled: boolean;
}

export type EndpointPatch = Partial<NewEndpoint> & { readonly disabledReason?: string | null };

export interface EndpointStore {
  create(endpoint: NewEndpoint, now: Date): Promise<Endpoint>;
  get(id: string): Promise<Endpoint | undefined>;
  /** Oldest first. */
  list(): Promise<readonly Endpoint[]>;
  /**
   * Enabling a disabled endpoint (`enabled: true`) restarts the clock of ENDPOINT_DISABLE_AFTER:
   * its failures so far count as starting now, so that it gets the whole delay again.
   */
  update(id: string, patch: EndpointPatch, now: Date): Promise<Endpoint | undefined>;
  /**
   * Replaces the secret with `secret`; the one it replaces keeps signing beside it until
   * `previousUntil` (the secret before that stops at once). Undefined when there is no such endpoint.
   */
  rotateSecret(
    id: string,
    secret: string,
    previousUntil: Date,
    now: Date,
  ): Promise<Endpoint | undefined>;
  /** Its deliveries and their attempts go with it. False when there was no such endpoint. */
  delete(id: string): Promise<boolean>;
}
