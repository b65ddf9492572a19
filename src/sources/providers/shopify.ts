/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the raw body>`, keyed with the
 * app's client secret (or the store's webhook signing secret for webhooks made in the
 * admin). Nothing else is signed: no timestamp, so a captured request replays until the
 * delivery id or the body hash catches it.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify
 */
import { anySecretSigned, decodeBase64, hmac } from "./digests.ts";
import type { Provider, SecretsField, Verification } from "./provider.ts";
import { headerValue, missingHeader } from "./request.ts";

export interface ShopifyConfig extends SecretsField {
  readonly type: "shopify";
}

const HEADER = "X-Shopify-Hmac-Sha256";
const SHA256_BYTES = 32;

export const shopify: Provider<ShopifyConfig> = {
  parse: () => ({}),

  verify(config, request): Verification {
    const header = headerValue(request.headers, HEADER);
    if (header === undefined) return missingHeader(HEADER);
    const given = decodeBase64(header, SHA256_BYTES);
    if (given === undefined) {
      return { ok: false, reason: `${HEADER}: not the base64 of a SHA-256 digest` };
    }
    const signed = (secret: string) => hmac("sha256", secret, request.body);
    return anySecretSigned(config.secrets, signed, [given])
      ? { ok: true }
      : { ok: false, reason: `${HEADER}: signature mismatch` };
  },

  /**
   * The webhook id is the same on every retry of one delivery; the event id names the
   * event, shared by the deliveries of one event to several subscriptions.
   */
  deliveryId: (_config, request) =>
    headerValue(request.headers, "X-Shopify-Webhook-Id") ??
    headerValue(request.headers, "X-Shopify-Event-Id"),

  /**
   * The topic with its `/` turned into `.` (`orders/create` → `orders.create`): endpoints
   * subscribe to dotted prefixes (`shop-live.orders.*`), which a slash would sit outside.
   */
  eventType: (_config, request) =>
    headerValue(request.headers, "X-Shopify-Topic")?.replaceAll("/", "."),
};
