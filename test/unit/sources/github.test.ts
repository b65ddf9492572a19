import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  providerEventType,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { configOf, failure, hmacOf, inbound, OK } from "./inbound.ts";

// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
// ("Testing the webhook payload validation").
const VECTOR_SECRET = "It's a Secret to Everybody";
const VECTOR_BODY = "Hello, World!";
const VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

const config = configOf({ type: "github", secret: VECTOR_SECRET });
const now = new Date("2026-12-05T10:00:00Z");
const request = (signature: string | undefined, body = VECTOR_BODY) =>
  inbound(
    {
      ...(signature === undefined ? {} : { "X-Hub-Signature-256": signature }),
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    },
    body,
  );

describe("github verifier", () => {
  test("verifies the example in GitHub's documentation", () => {
    expect(verifyRequest(config, request(VECTOR_SIGNATURE), now)).toEqual(OK);
  });

  test("a body changed after signing is a mismatch", () => {
    expect(verifyRequest(config, request(VECTOR_SIGNATURE, "Hello, World?"), now)).toEqual(
      failure("X-Hub-Signature-256: signature mismatch"),
    );
  });

  test("another secret is a mismatch", () => {
    const other = configOf({ type: "github", secret: "It's a secret to nobody" });
    expect(verifyRequest(other, request(VECTOR_SIGNATURE), now)).toEqual(
      failure("X-Hub-Signature-256: signature mismatch"),
    );
  });

  test("during a rotation, either secret verifies", () => {
    const rotating = configOf({ type: "github", secrets: ["next", VECTOR_SECRET] });
    expect(verifyRequest(rotating, request(VECTOR_SIGNATURE), now)).toEqual(OK);
    const next = `sha256=${hmacOf("sha256", "next", VECTOR_BODY, "hex")}`;
    expect(verifyRequest(rotating, request(next), now)).toEqual(OK);
  });

  test.each<[string, string | undefined, string]>([
    ["no header", undefined, "missing X-Hub-Signature-256 header"],
    [
      "hex without sha256=",
      VECTOR_SIGNATURE.slice(7),
      "X-Hub-Signature-256: not sha256= followed by 64 hex digits",
    ],
    [
      "a SHA-1 signature",
      `sha1=${hmacOf("sha1", VECTOR_SECRET, VECTOR_BODY, "hex")}`,
      "X-Hub-Signature-256: not sha256= followed by 64 hex digits",
    ],
  ])("%s is refused", (_name, signature, reason) => {
    expect(verifyRequest(config, request(signature), now)).toEqual(failure(reason));
  });

  test("the delivery and type come from GitHub's headers", () => {
    expect(deliveryIdOf(config, request(VECTOR_SIGNATURE))).toBe(
      "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    );
    expect(providerEventType(config, request(VECTOR_SIGNATURE))).toBe("push");
  });
});
