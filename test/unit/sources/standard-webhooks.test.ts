import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  parseVerifier,
  providerEventType,
  type Verification,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { at, configOf, failure, inbound, OK } from "./inbound.ts";

// The Standard Webhooks libraries' shared vector: libraries/go/webhook_test.go
// (TestWebhookSign) and libraries/python/tests/test_webhooks.py (test_sign_function) in
// github.com/standard-webhooks/standard-webhooks.
const VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const VECTOR_TIMESTAMP = 1614265330;
const VECTOR_BODY = '{"test": 2432232314}';
const VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
// From the same Python tests: one character off, so it must fail.
const INVALID_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";
// From the Go tests' "valid multi sig" case: other entries around the valid one.
const OTHER_SIGNATURE = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

const config = configOf({ type: "standard-webhooks", secret: VECTOR_SECRET });
const headers = (signature: string, family = "webhook") => ({
  [`${family}-id`]: VECTOR_ID,
  [`${family}-timestamp`]: `${VECTOR_TIMESTAMP}`,
  [`${family}-signature`]: signature,
});
const now = at(VECTOR_TIMESTAMP);

describe("standard-webhooks verifier", () => {
  test("verifies the libraries' shared vector", () => {
    expect(verifyRequest(config, inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY), now)).toEqual(OK);
  });

  test("verifies Svix's svix-* header names", () => {
    const request = inbound(headers(VECTOR_SIGNATURE, "svix"), VECTOR_BODY);
    expect(verifyRequest(config, request, now)).toEqual(OK);
    expect(deliveryIdOf(config, request)).toBe(VECTOR_ID);
  });

  test("the libraries' invalid signature is a mismatch", () => {
    const request = inbound(headers(INVALID_SIGNATURE), VECTOR_BODY);
    expect(verifyRequest(config, request, now)).toEqual(
      failure("webhook-signature: signature mismatch"),
    );
  });

  test("a list with the valid signature among others verifies", () => {
    const list = [OTHER_SIGNATURE, `v2,${OTHER_SIGNATURE.slice(3)}`, VECTOR_SIGNATURE].join(" ");
    expect(verifyRequest(config, inbound(headers(list), VECTOR_BODY), now)).toEqual(OK);
  });

  test("a body changed after signing is a mismatch", () => {
    const request = inbound(headers(VECTOR_SIGNATURE), '{"test": 2432232315}');
    expect(verifyRequest(config, request, now)).toEqual(
      failure("webhook-signature: signature mismatch"),
    );
  });

  test("during a rotation, either secret verifies", () => {
    const rotating = configOf({
      type: "standard-webhooks",
      secrets: ["whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=", VECTOR_SECRET],
    });
    expect(verifyRequest(rotating, inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY), now)).toEqual(
      OK,
    );
  });

  test("another secret is a mismatch", () => {
    const other = configOf({
      type: "standard-webhooks",
      secret: "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=",
    });
    expect(verifyRequest(other, inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY), now)).toEqual(
      failure("webhook-signature: signature mismatch"),
    );
  });

  test.each<[string, number, Verification]>([
    ["5m old", VECTOR_TIMESTAMP + 300, OK],
    [
      "5m 1s old",
      VECTOR_TIMESTAMP + 301,
      failure("webhook-timestamp: timestamp outside the 5m tolerance (too old)"),
    ],
    [
      "5m 1s in the future",
      VECTOR_TIMESTAMP - 301,
      failure("webhook-timestamp: timestamp outside the 5m tolerance (in the future)"),
    ],
  ])("a timestamp %s", (_name, when, expected) => {
    const request = inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY);
    expect(verifyRequest(config, request, at(when))).toEqual(expected);
  });

  test.each<[string, Record<string, string>, string]>([
    ["no headers", {}, "missing webhook-id, webhook-timestamp, webhook-signature headers"],
    [
      "no id",
      { "webhook-timestamp": `${VECTOR_TIMESTAMP}`, "webhook-signature": VECTOR_SIGNATURE },
      "missing webhook-id header",
    ],
    [
      "svix names without a signature",
      { "svix-id": VECTOR_ID, "svix-timestamp": `${VECTOR_TIMESTAMP}` },
      "missing svix-signature header",
    ],
    [
      "a timestamp that is not seconds",
      { ...headers(VECTOR_SIGNATURE), "webhook-timestamp": "hello" },
      "webhook-timestamp: not Unix seconds",
    ],
  ])("%s is refused", (_name, given, reason) => {
    expect(verifyRequest(config, inbound(given, VECTOR_BODY), now)).toEqual(failure(reason));
  });

  test("the delivery is the message id and the type the body's type", () => {
    const request = inbound(headers(VECTOR_SIGNATURE), '{"type":"invoice.paid","data":{}}');
    expect(deliveryIdOf(config, request)).toBe(VECTOR_ID);
    expect(providerEventType(config, request)).toBe("invoice.paid");
  });

  test.each([
    ["not base64", "whsec_not base64!"],
    ["too short a key", "whsec_c2hvcnQ="],
  ])("a secret that is %s is refused when the source is written", (_name, secret) => {
    const parsed = parseVerifier({ type: "standard-webhooks", secret });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toEqual(["verifier.secret"]);
  });
});
