/**
 * Standard Webhooks (https://www.standardwebhooks.com/), the scheme Svix defined: headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">`), keyed with the base64-decoded part of a
 * `whsec_<base64>` secret. Signing the id and the timestamp with the body is what lets a
 * receiver refuse replays: an old capture fails the tolerance, a new id breaks the signature.
 *
 * hookyard signs its outbound deliveries with this and verifies `/webhooks/event` senders
 * with it; the unit tests cross-check both directions against the `svix` library.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** The spec's default: five minutes either way absorbs clock skew, not much more. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;

/**
 * The HMAC key of a secret: `whsec_<base64>` or the bare base64. `undefined` when the
 * text is not base64 or decodes to nothing, so a typo cannot become an empty (guessable) key.
 */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, "base64");
  return key.length === 0 ? undefined : key;
}

/** A fresh endpoint secret: `whsec_` + base64 of 24 random bytes (the size Svix issues). */
export function generateEndpointSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString("base64")}`;
}

/** Bounds for secrets users bring (POST /endpoints `secret`); ours are 24 bytes. */
const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 128;

/**
 * Why a user-supplied secret is unusable, or `undefined` when it is fine. Stricter than
 * {@link decodeWebhookSecret}: padded base64 only, so every Standard Webhooks library
 * (some reject unpadded input) can verify what hookyard signs with it.
 */
export function validateWebhookSecret(secret: unknown): string | undefined {
  if (typeof secret !== "string") return "secret must be a string";
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const key = decodeWebhookSecret(secret);
  if (key === undefined || encoded.length % 4 !== 0) {
    return "secret must be whsec_ followed by base64";
  }
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    return `secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${key.length}`;
  }
  return undefined;
}

export interface SignInput {
  readonly secret: string;
  readonly id: string;
  /** When the message is sent: a Date, or Unix seconds. */
  readonly timestamp: Date | number;
  readonly body: string;
}

/** The `webhook-signature` value for one message: `v1,<base64>`. Throws on an unusable secret. */
export function signStandardWebhook(input: SignInput): string {
  const key = decodeWebhookSecret(input.secret);
  if (key === undefined) throw new Error("webhook secret is not whsec_ followed by base64");
  return `v1,${hmac(key, input.id, toUnixSeconds(input.timestamp), input.body)}`;
}

/** Unix seconds, as `webhook-timestamp` carries them. */
export function toUnixSeconds(timestamp: Date | number): number {
  return Math.floor(typeof timestamp === "number" ? timestamp : timestamp.getTime() / 1000);
}

export type StandardWebhookRejection =
  | "missing headers"
  | "invalid timestamp"
  | "timestamp too old"
  | "timestamp too new"
  | "no matching signature";

export type StandardWebhookVerification =
  | { readonly ok: true; readonly id: string; readonly timestamp: Date }
  | { readonly ok: false; readonly reason: StandardWebhookRejection };

/** A `Headers` object or a plain record (any key case). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | null | undefined>>;

/** One secret, or several while one is being rotated (any of them verifies). */
export type VerificationSecrets =
  | { readonly secret: string; readonly secrets?: never }
  | { readonly secrets: readonly string[]; readonly secret?: never };

export type VerifyInput = VerificationSecrets & {
  readonly headers: WebhookHeaders;
  readonly body: string | Uint8Array;
  readonly now?: Date;
  readonly toleranceSeconds?: number;
};

/**
 * Checks a received message. The signature header may list several space-separated
 * signatures (the sender rotating its key); one valid `v1` entry under one of our secrets
 * is enough. Svix's own `svix-*` header names are read too, since Svix sends those.
 */
export function verifyStandardWebhook(input: VerifyInput): StandardWebhookVerification {
  const id = header(input.headers, "webhook-id");
  const timestampText = header(input.headers, "webhook-timestamp");
  const signatures = header(input.headers, "webhook-signature");
  if (!id || !timestampText || !signatures) return { ok: false, reason: "missing headers" };

  if (!TIMESTAMP.test(timestampText)) return { ok: false, reason: "invalid timestamp" };
  const timestamp = Number(timestampText);
  const now = toUnixSeconds(input.now ?? new Date());
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - timestamp > tolerance) return { ok: false, reason: "timestamp too old" };
  if (timestamp - now > tolerance) return { ok: false, reason: "timestamp too new" };

  const given = signatures
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => Buffer.from(entry.slice(3)));
  const secrets = input.secrets ?? [input.secret];
  let verified = false;
  for (const secret of secrets) {
    // An unusable secret verifies nothing: failing closed beats signing with an empty key.
    const key = decodeWebhookSecret(secret);
    if (key === undefined) continue;
    const expected = Buffer.from(hmac(key, id, timestamp, input.body));
    // Every pair is compared, without stopping at a match, so timing tells nothing.
    for (const signature of given) {
      if (constantTimeEqual(expected, signature)) verified = true;
    }
  }
  return verified
    ? { ok: true, id, timestamp: new Date(timestamp * 1000) }
    : { ok: false, reason: "no matching signature" };
}

function hmac(key: Buffer, id: string, seconds: number, body: string | Uint8Array): string {
  return createHmac("sha256", key).update(`${id}.${seconds}.`).update(body).digest("base64");
}

function header(headers: WebhookHeaders, name: `webhook-${string}`): string | undefined {
  const svixName = name.replace("webhook-", "svix-");
  if (headers instanceof Headers) {
    return headers.get(name) ?? headers.get(svixName) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value) return value;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === svixName && value) return value;
  }
  return undefined;
}

/** timingSafeEqual throws on buffers of different lengths; for us that is just a mismatch. */
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
