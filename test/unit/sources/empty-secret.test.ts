import { describe, expect, test } from "bun:test";
import { type VerifierConfig, verifyRequest } from "../../../src/sources/providers/index.ts";
import { at, hmacOf, inbound } from "./inbound.ts";

// parseVerifier refuses empty secrets; these configs are built by hand, as a hand-edited
// store row or a future code path could, to show the check itself fails closed.
const T = 1765000000;
const BODY = '{"id":"evt_1","type":"x"}';
const signedWithEmpty = (content: string, encoding: "hex" | "base64" = "hex") =>
  hmacOf("sha256", "", content, encoding);

const CASES: [string, VerifierConfig, Record<string, string>][] = [
  [
    "stripe",
    { type: "stripe", secrets: [""], tolerance: "5m" },
    { "Stripe-Signature": `t=${T},v1=${signedWithEmpty(`${T}.${BODY}`)}` },
  ],
  [
    "shopify",
    { type: "shopify", secrets: [""] },
    { "X-Shopify-Hmac-Sha256": signedWithEmpty(BODY, "base64") },
  ],
  [
    "slack",
    { type: "slack", secrets: [""], tolerance: "5m" },
    {
      "X-Slack-Signature": `v0=${signedWithEmpty(`v0:${T}:${BODY}`)}`,
      "X-Slack-Request-Timestamp": `${T}`,
    },
  ],
  [
    "github",
    { type: "github", secrets: [""] },
    { "X-Hub-Signature-256": `sha256=${signedWithEmpty(BODY)}` },
  ],
  [
    "hmac",
    { type: "hmac", secrets: [""], header: "X-Sig", algorithm: "sha256", encoding: "hex" },
    { "X-Sig": signedWithEmpty(BODY) },
  ],
  ["api-key", { type: "api-key", secrets: [""], header: "X-Key" }, { "X-Key": " " }],
  [
    "basic",
    { type: "basic", secrets: [""], username: "u" },
    { Authorization: `Basic ${Buffer.from("u:").toString("base64")}` },
  ],
];

describe("an empty secret", () => {
  test.each(CASES)(
    "never verifies a %s request, even one signed with it",
    (_type, config, headers) => {
      expect(verifyRequest(config, inbound(headers, BODY), at(T)).ok).toBe(false);
    },
  );

  test.each(CASES)(
    "beside a real %s secret, it still verifies nothing signed with it",
    (_t, config, headers) => {
      const withReal = { ...config, secrets: ["", "a-real-secret"] } as VerifierConfig;
      expect(verifyRequest(withReal, inbound(headers, BODY), at(T)).ok).toBe(false);
    },
  );
});
