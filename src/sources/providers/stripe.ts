/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`, each v1
 * an HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint's whole signing secret
 * (`whsec_…` as it is, not decoded). Stripe sends one v1 per secret it signs with while
 * a secret is being rolled; v0 is a test-mode scheme and is ignored.
 * https://docs.stripe.com/webhooks#verify-manually
 */
import type { ConfigReader } from "./config-reader.ts";
import { anySecretSigned, decodeHex, hmac } from "./digests.ts";
import type { Provider, SecretsField, ToleranceField, Verification } from "./provider.ts";
import { headerValue, missingHeader, stringAt } from "./request.ts";
import { checkTimestamp, DEFAULT_TOLERANCE, parseUnixSeconds } from "./timestamp.ts";

export interface StripeConfig extends SecretsField, ToleranceField {
  readonly type: "stripe";
}

const HEADER = "Stripe-Signature";
const SHA256_BYTES = 32;

export const stripe: Provider<StripeConfig> = {
  parse: (read: ConfigReader) => ({ tolerance: read.tolerance("tolerance", DEFAULT_TOLERANCE) }),

  verify(config, request, now): Verification {
    const header = headerValue(request.headers, HEADER);
    if (header === undefined) return missingHeader(HEADER);
    const parsed = parseStripeSignature(header);
    if (parsed.timestamp === undefined) {
      return { ok: false, reason: `${HEADER}: no t=<unix seconds> timestamp` };
    }
    if (parsed.signatures.length === 0) return { ok: false, reason: `${HEADER}: no v1 signature` };
    const fresh = checkTimestamp(HEADER, parsed.timestamp, now, config.tolerance);
    if (!fresh.ok) return fresh;
    const signed = (secret: string) => hmac("sha256", secret, `${parsed.timestamp}.`, request.body);
    // A v1 that is not 64 hex digits is kept as empty bytes: it matches nothing, and one
    // malformed entry beside a good one must not fail the delivery.
    const given = parsed.signatures.map((hex) => decodeHex(hex, SHA256_BYTES) ?? Buffer.alloc(0));
    return anySecretSigned(config.secrets, signed, given)
      ? { ok: true }
      : { ok: false, reason: `${HEADER}: signature mismatch` };
  },

  /** The event's id (`evt_…`): Stripe retries an event with the same id. */
  deliveryId: (_config, request) => stringAt(request.payload, "id"),
  eventType: (_config, request) => stringAt(request.payload, "type"),
};

interface StripeSignature {
  readonly timestamp: number | undefined;
  readonly signatures: readonly string[];
}

/** The header's `t` and its `v1` entries; other schemes (`v0`) and unknown keys are skipped. */
export function parseStripeSignature(header: string): StripeSignature {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(",")) {
    const separator = item.indexOf("=");
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === "t") timestamp = parseUnixSeconds(value);
    else if (key === "v1" && value !== "") signatures.push(value);
  }
  return { timestamp, signatures };
}
