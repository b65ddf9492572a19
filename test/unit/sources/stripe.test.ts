import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  providerEventType,
  type Verification,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { at, configOf, failure, hmacOf, inbound, OK } from "./inbound.ts";

// stripe-dotnet's published vector: src/StripeTests/Services/Events/EventUtilityTest.cs
// signs src/StripeTests/Resources/event_test_signature.json (this text, with its final
// newline) at t=1533204620 with the secret "webhook_secret".
const VECTOR_BODY = `{
  "id": "evt_123",
  "object": "event",
  "account": "acct_123",
  "api_version": "2017-05-25",
  "created": 1533204620,
  "data": {
    "object": {
      "id": "cus_123",
      "object": "customer",
      "created": 123456789,
      "email": "test@stripe.com",
      "livemode": false,
      "metadata": {}
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": "req_123",
    "idempotency_key": "idempotency-key-123"
  },
  "type": "customer.created"
}
`;
const VECTOR_T = 1533204620;
const VECTOR_HEADER =
  "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7," +
  "v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef";

const config = configOf({ type: "stripe", secret: "webhook_secret" });
const request = (header: string | undefined, body = VECTOR_BODY) =>
  inbound(header === undefined ? {} : { "Stripe-Signature": header }, body);
const v1 = (secret: string, t: number, body = VECTOR_BODY) =>
  `v1=${hmacOf("sha256", secret, `${t}.${body}`, "hex")}`;

describe("stripe verifier", () => {
  test("verifies stripe-dotnet's published vector", () => {
    expect(verifyRequest(config, request(VECTOR_HEADER), at(VECTOR_T + 100))).toEqual(OK);
  });

  test("names the event by its id and type", () => {
    expect(deliveryIdOf(config, request(VECTOR_HEADER))).toBe("evt_123");
    expect(providerEventType(config, request(VECTOR_HEADER))).toBe("customer.created");
  });

  test("a body changed after signing is a mismatch", () => {
    const tampered = VECTOR_BODY.replace("cus_123", "cus_999");
    expect(verifyRequest(config, request(VECTOR_HEADER, tampered), at(VECTOR_T))).toEqual(
      failure("Stripe-Signature: signature mismatch"),
    );
  });

  test("another secret is a mismatch", () => {
    const other = configOf({ type: "stripe", secret: "whsec_other" });
    expect(verifyRequest(other, request(VECTOR_HEADER), at(VECTOR_T))).toEqual(
      failure("Stripe-Signature: signature mismatch"),
    );
  });

  test("the secret is the whole whsec_ string, not its decoded part", () => {
    const secret = "whsec_dGhpcyBpcyBhIHN0cmlwZSBzZWNyZXQ=";
    const header = `t=${VECTOR_T},${v1(secret, VECTOR_T)}`;
    const whole = configOf({ type: "stripe", secret });
    expect(verifyRequest(whole, request(header), at(VECTOR_T))).toEqual(OK);
  });

  test.each([
    ["the new", "new_secret"],
    ["the old", "webhook_secret"],
  ])("during a rotation, a signature with %s secret verifies", (_which, signer) => {
    const rotating = configOf({ type: "stripe", secrets: ["new_secret", "webhook_secret"] });
    const header = `t=${VECTOR_T},${v1(signer, VECTOR_T)}`;
    expect(verifyRequest(rotating, request(header), at(VECTOR_T))).toEqual(OK);
  });

  test("a header with one v1 per secret Stripe rolls verifies with either", () => {
    const header = `t=${VECTOR_T},${v1("rolled_away", VECTOR_T)},${v1("webhook_secret", VECTOR_T)}`;
    expect(verifyRequest(config, request(header), at(VECTOR_T))).toEqual(OK);
  });

  test.each<[string, number, Verification]>([
    ["exactly 5m old", VECTOR_T + 300, OK],
    ["exactly 5m ahead", VECTOR_T - 300, OK],
    [
      "5m 1s old",
      VECTOR_T + 301,
      failure("Stripe-Signature: timestamp outside the 5m tolerance (301s old)"),
    ],
    [
      "5m 1s in the future",
      VECTOR_T - 301,
      failure("Stripe-Signature: timestamp outside the 5m tolerance (301s in the future)"),
    ],
  ])("a timestamp %s", (_name, now, expected) => {
    expect(verifyRequest(config, request(VECTOR_HEADER), at(now))).toEqual(expected);
  });

  test("a tolerance of its own replaces the default", () => {
    const relaxed = configOf({ type: "stripe", secret: "webhook_secret", tolerance: "10m" });
    expect(verifyRequest(relaxed, request(VECTOR_HEADER), at(VECTOR_T + 599))).toEqual(OK);
    expect(verifyRequest(relaxed, request(VECTOR_HEADER), at(VECTOR_T + 601))).toEqual(
      failure("Stripe-Signature: timestamp outside the 10m tolerance (601s old)"),
    );
  });

  const good = v1("webhook_secret", VECTOR_T);
  test.each<[string, string | undefined, string]>([
    ["no header", undefined, "missing Stripe-Signature header"],
    ["a blank header", "  ", "missing Stripe-Signature header"],
    ["no timestamp", good, "Stripe-Signature: no t=<unix seconds> timestamp"],
    [
      "a timestamp that is not seconds",
      `t=soon,${good}`,
      "Stripe-Signature: no t=<unix seconds> timestamp",
    ],
    ["no signature", `t=${VECTOR_T}`, "Stripe-Signature: no v1 signature"],
    [
      "only a v0 signature",
      `t=${VECTOR_T},v0=${good.slice(3)}`,
      "Stripe-Signature: no v1 signature",
    ],
    ["an empty v1", `t=${VECTOR_T},v1=`, "Stripe-Signature: no v1 signature"],
    [
      "a v1 that is not hex",
      `t=${VECTOR_T},v1=${"z".repeat(64)}`,
      "Stripe-Signature: signature mismatch",
    ],
    [
      "a v1 cut short",
      `t=${VECTOR_T},${good.slice(0, -2)}`,
      "Stripe-Signature: signature mismatch",
    ],
    ["nonsense", "not a signature", "Stripe-Signature: no t=<unix seconds> timestamp"],
  ])("%s is refused", (_name, header, reason) => {
    expect(verifyRequest(config, request(header), at(VECTOR_T))).toEqual(failure(reason));
  });

  test("a malformed v1 beside a good one does not fail the delivery", () => {
    const header = `t=${VECTOR_T},v1=zz,${good}`;
    expect(verifyRequest(config, request(header), at(VECTOR_T))).toEqual(OK);
  });

  test("a failure reason never shows the expected signature", () => {
    const header = `t=${VECTOR_T},v1=${"0".repeat(64)}`;
    const result = verifyRequest(config, request(header), at(VECTOR_T));
    expect(JSON.stringify(result)).not.toContain(good.slice(3));
    expect(JSON.stringify(result)).not.toContain("webhook_secret");
  });
});
