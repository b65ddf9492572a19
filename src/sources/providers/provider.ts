/**
 * What every provider of a source (`POST /in/<name>`) implements: reading its config,
 * checking a request against it, and naming the delivery and its event type. Providers
 * are pure: the caller reads the request, stores the event and answers.
 */
import type { ConfigReader } from "./config-reader.ts";

export const VERIFIER_TYPES = [
  "stripe",
  "shopify",
  "slack",
  "github",
  "standard-webhooks",
  "hmac",
  "basic",
  "api-key",
  "none",
] as const;

export type VerifierType = (typeof VERIFIER_TYPES)[number];

export function isVerifierType(value: unknown): value is VerifierType {
  return (VERIFIER_TYPES as readonly unknown[]).includes(value);
}

/** What a provider reads of one request. */
export interface InboundRequest {
  /** As received. */
  readonly headers: Headers;
  /** The raw bytes as received: every signature is over these, never over a re-serialised body. */
  readonly body: Uint8Array;
  /**
   * The body parsed: JSON, or form-urlencoded as an object of string fields; `undefined`
   * when it is neither.
   */
  readonly payload: unknown;
}

/**
 * A failed check says which header is wrong and how, so whoever set up the sender can fix
 * it, but never a secret or the signature that was expected: that would let anyone
 * forge one.
 */
export type Verification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** `field` is a path into the source's JSON: `verifier.secrets[0]`, `verifier.algorithm`. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

/** What every config but `none` carries: one secret or several while one is rotated. */
export interface SecretsField {
  /** 1-10 non-empty secrets; any one of them verifies. `secret` in the input becomes this. */
  readonly secrets: readonly string[];
}

/** For schemes that sign a timestamp: how far it may be from our clock, either way. */
export interface ToleranceField {
  /** A duration as the user wrote it (`"5m"`, `"300s"`), kept for display. */
  readonly tolerance: string;
}

/** A handshake the provider expects answered in place of storing the request. */
export interface HandshakeAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One provider. `C` is its config; the registry (index.ts) picks the provider by
 * `config.type` once, so nothing else branches on the type.
 */
export interface Provider<C extends { readonly type: VerifierType }> {
  /**
   * The config's own fields, beside `type` and the secrets, which the registry reads.
   * `read` collects the problems; what parse returns is used only when there are none.
   */
  readonly parse: (read: ConfigReader) => Omit<C, "type" | "secrets">;
  /** Checks a secret beyond "non-empty string" (e.g. `whsec_` + base64); the problem or undefined. */
  readonly validateSecret?: (secret: string) => string | undefined;
  readonly verify: (config: C, request: InboundRequest, now: Date) => Verification;
  readonly deliveryId?: (config: C, request: InboundRequest) => string | undefined;
  readonly eventType?: (config: C, request: InboundRequest) => string | undefined;
  readonly handshake?: (config: C, request: InboundRequest) => HandshakeAnswer | undefined;
  /** Request headers, lower case, that carry this config's credentials. */
  readonly credentialHeaders?: (config: C) => readonly string[];
}
