import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  providerEventType,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { configOf, failure, hmacOf, inbound, OK } from "./inbound.ts";

// Shopify's own vector: @shopify/shopify-api's webhooks/__tests__/validate.test.ts
// expects this HMAC of this body with its test config's apiSecretKey "test_secret_key".
const VECTOR_SECRET = "test_secret_key";
const VECTOR_BODY = '{"foo": "bar"}';
const VECTOR_HMAC = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=";

const config = configOf({ type: "shopify", secret: VECTOR_SECRET });
const now = new Date("2026-12-05T10:00:00Z");
const request = (hmac: string | undefined, body = VECTOR_BODY, extra = {}) =>
  inbound(
    {
      ...(hmac === undefined ? {} : { "X-Shopify-Hmac-Sha256": hmac }),
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
      ...extra,
    },
    body,
  );

describe("shopify verifier", () => {
  test("verifies the vector from Shopify's API library", () => {
    expect(verifyRequest(config, request(VECTOR_HMAC), now)).toEqual(OK);
  });

  test("a body changed after signing is a mismatch", () => {
    expect(verifyRequest(config, request(VECTOR_HMAC, '{"foo": "baz"}'), now)).toEqual(
      failure("X-Shopify-Hmac-Sha256: signature mismatch"),
    );
  });

  test("another secret is a mismatch", () => {
    const other = configOf({ type: "shopify", secret: "another_secret" });
    expect(verifyRequest(other, request(VECTOR_HMAC), now)).toEqual(
      failure("X-Shopify-Hmac-Sha256: signature mismatch"),
    );
  });

  test.each([["new_secret"], [VECTOR_SECRET]])(
    "during a rotation, a signature with %s verifies",
    (signer) => {
      const rotating = configOf({ type: "shopify", secrets: ["new_secret", VECTOR_SECRET] });
      const hmac = hmacOf("sha256", signer, VECTOR_BODY, "base64");
      expect(verifyRequest(rotating, request(hmac), now)).toEqual(OK);
    },
  );

  test.each<[string, string | undefined, string]>([
    ["no header", undefined, "missing X-Shopify-Hmac-Sha256 header"],
    ["an empty header", "", "missing X-Shopify-Hmac-Sha256 header"],
    [
      "the digest in hex",
      Buffer.from(VECTOR_HMAC, "base64").toString("hex"),
      "X-Shopify-Hmac-Sha256: not the base64 of a SHA-256 digest",
    ],
    [
      "a digest cut short",
      VECTOR_HMAC.slice(0, 20),
      "X-Shopify-Hmac-Sha256: not the base64 of a SHA-256 digest",
    ],
    [
      "not base64 at all",
      "sha256=not-base64!",
      "X-Shopify-Hmac-Sha256: not the base64 of a SHA-256 digest",
    ],
  ])("%s is refused", (_name, hmac, reason) => {
    expect(verifyRequest(config, request(hmac), now)).toEqual(failure(reason));
  });

  test("the delivery is the webhook id, else the event id", () => {
    expect(deliveryIdOf(config, request(VECTOR_HMAC))).toBe("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    const withoutWebhookId = inbound(
      { "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5" },
      VECTOR_BODY,
    );
    expect(deliveryIdOf(config, withoutWebhookId)).toBe("98880550-7158-44d4-b7cd-2c97c8a091b5");
    expect(deliveryIdOf(config, inbound({}, VECTOR_BODY))).toBeUndefined();
  });

  test.each([
    ["orders/create", "orders.create"],
    ["app/uninstalled", "app.uninstalled"],
    ["customers/data_request", "customers.data_request"],
    ["shop/update", "shop.update"],
  ])("the topic %s is the type %s", (topic, type) => {
    const topical = request(VECTOR_HMAC, VECTOR_BODY, { "X-Shopify-Topic": topic });
    expect(providerEventType(config, topical)).toBe(type);
  });

  test("no topic is no type", () => {
    expect(providerEventType(config, inbound({}, VECTOR_BODY))).toBeUndefined();
  });
});
