/**
 * Requests as each provider signs them, computed here apart from hookyard's own verifiers
 * (node:crypto and the providers' documented schemes), for end-to-end tests of sources.
 */
import { createHmac } from "node:crypto";
import { signStandardWebhook } from "../../src/lib/standard-webhooks.ts";

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

const hmac = (
  algorithm: string,
  key: string | Buffer,
  content: string,
  encoding: "hex" | "base64",
) => createHmac(algorithm, key).update(content).digest(encoding);

const unixNow = () => Math.floor(Date.now() / 1000);
const JSON_TYPE = { "content-type": "application/json" };

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the whole secret. */
export function stripeRequest(secret: string, event: Record<string, unknown>, at = unixNow()) {
  const body = JSON.stringify(event);
  const signature = hmac("sha256", secret, `${at}.${body}`, "hex");
  return { headers: { ...JSON_TYPE, "stripe-signature": `t=${at},v1=${signature}` }, body };
}

/** Shopify: `X-Shopify-Hmac-Sha256`, base64 of the raw body's HMAC-SHA256. */
export function shopifyRequest(secret: string, topic: string, webhookId: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return {
    headers: {
      ...JSON_TYPE,
      "x-shopify-hmac-sha256": hmac("sha256", secret, body, "base64"),
      "x-shopify-topic": topic,
      "x-shopify-webhook-id": webhookId,
    },
    body,
  };
}

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:ts:body">` with `X-Slack-Request-Timestamp`. */
export function slackRequest(secret: string, payload: unknown, at = unixNow()) {
  const body = JSON.stringify(payload);
  return {
    headers: {
      ...JSON_TYPE,
      "x-slack-request-timestamp": String(at),
      "x-slack-signature": `v0=${hmac("sha256", secret, `v0:${at}:${body}`, "hex")}`,
    },
    body,
  };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` with the event and delivery headers. */
export function githubRequest(secret: string, event: string, delivery: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return {
    headers: {
      ...JSON_TYPE,
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": `sha256=${hmac("sha256", secret, body, "hex")}`,
    },
    body,
  };
}

/** Standard Webhooks, with the `svix-*` header family when asked. */
export function standardWebhooksRequest(
  secret: string,
  id: string,
  payload: unknown,
  family: "webhook" | "svix" = "webhook",
) {
  const body = JSON.stringify(payload);
  const timestamp = unixNow();
  return {
    headers: {
      ...JSON_TYPE,
      [`${family}-id`]: id,
      [`${family}-timestamp`]: String(timestamp),
      [`${family}-signature`]: signStandardWebhook({ secret, id, timestamp, body }),
    },
    body,
  };
}

/** A generic HMAC sender: `<header>: <prefix><hex HMAC-SHA256 of the body>`. */
export function hmacRequest(secret: string, header: string, prefix: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return {
    headers: { ...JSON_TYPE, [header]: `${prefix}${hmac("sha256", secret, body, "hex")}` },
    body,
  };
}

export function basicRequest(user: string, password: string, payload: unknown) {
  const credentials = Buffer.from(`${user}:${password}`).toString("base64");
  return {
    headers: { ...JSON_TYPE, authorization: `Basic ${credentials}` },
    body: JSON.stringify(payload),
  };
}

export function apiKeyRequest(header: string, key: string, payload: unknown) {
  return { headers: { ...JSON_TYPE, [header]: key }, body: JSON.stringify(payload) };
}
