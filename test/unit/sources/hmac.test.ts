import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  providerEventType,
  type Verification,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { at, configOf, failure, hmacOf, inbound, OK } from "./inbound.ts";

// RFC 2202 §3 and RFC 4231 §4.3, test case 2: key "Jefe", this data.
const RFC_KEY = "Jefe";
const RFC_DATA = "what do ya want for nothing?";
const RFC_DIGESTS = {
  sha1: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
  sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  sha512:
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
} as const;

const now = new Date("2026-12-05T10:00:00Z");
const base64Of = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const base64UrlOf = (hex: string) => Buffer.from(hex, "hex").toString("base64url");

describe("hmac verifier", () => {
  describe("the RFC vectors", () => {
    test.each(Object.entries(RFC_DIGESTS))("%s in hex verifies", (algorithm, hex) => {
      const config = configOf({ type: "hmac", secret: RFC_KEY, header: "X-Signature", algorithm });
      expect(verifyRequest(config, inbound({ "X-Signature": hex }, RFC_DATA), now)).toEqual(OK);
    });

    test.each(Object.entries(RFC_DIGESTS))("%s in base64 verifies", (algorithm, hex) => {
      const config = configOf({
        type: "hmac",
        secret: RFC_KEY,
        header: "X-Signature",
        algorithm,
        encoding: "base64",
      });
      for (const encoded of [base64Of(hex), base64UrlOf(hex)]) {
        expect(verifyRequest(config, inbound({ "X-Signature": encoded }, RFC_DATA), now)).toEqual(
          OK,
        );
      }
    });
  });

  test("set up as GitHub's scheme, it verifies GitHub's documented example", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    const config = configOf({
      type: "hmac",
      secret: "It's a Secret to Everybody",
      header: "X-Hub-Signature-256",
      prefix: "sha256=",
    });
    const request = inbound(
      {
        "x-hub-signature-256":
          "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
      },
      "Hello, World!",
    );
    expect(verifyRequest(config, request, now)).toEqual(OK);
  });

  const config = configOf({
    type: "hmac",
    secret: RFC_KEY,
    header: "X-Signature",
    prefix: "sha256=",
  });
  const good = `sha256=${RFC_DIGESTS.sha256}`;

  test("upper-case hex verifies", () => {
    const request = inbound(
      { "X-Signature": `sha256=${RFC_DIGESTS.sha256.toUpperCase()}` },
      RFC_DATA,
    );
    expect(verifyRequest(config, request, now)).toEqual(OK);
  });

  test("a body changed after signing is a mismatch", () => {
    expect(verifyRequest(config, inbound({ "X-Signature": good }, `${RFC_DATA} `), now)).toEqual(
      failure("X-Signature: signature mismatch"),
    );
  });

  test("another secret is a mismatch; during a rotation either verifies", () => {
    const other = configOf({
      type: "hmac",
      secret: "Jeff",
      header: "X-Signature",
      prefix: "sha256=",
    });
    expect(verifyRequest(other, inbound({ "X-Signature": good }, RFC_DATA), now)).toEqual(
      failure("X-Signature: signature mismatch"),
    );
    const rotating = configOf({
      type: "hmac",
      secrets: ["Jeff", RFC_KEY],
      header: "X-Signature",
      prefix: "sha256=",
    });
    expect(verifyRequest(rotating, inbound({ "X-Signature": good }, RFC_DATA), now)).toEqual(OK);
  });

  test.each<[string, Record<string, string>, string]>([
    ["no header", {}, "missing X-Signature header"],
    [
      "no prefix",
      { "X-Signature": RFC_DIGESTS.sha256 },
      'X-Signature: does not start with "sha256="',
    ],
    [
      "a SHA-1 digest where SHA-256 is set",
      { "X-Signature": `sha256=${RFC_DIGESTS.sha1}` },
      "X-Signature: not hex of a sha256 digest",
    ],
    [
      "base64 where hex is set",
      { "X-Signature": `sha256=${base64Of(RFC_DIGESTS.sha256)}` },
      "X-Signature: not hex of a sha256 digest",
    ],
  ])("%s is refused", (_name, headers, reason) => {
    expect(verifyRequest(config, inbound(headers, RFC_DATA), now)).toEqual(failure(reason));
  });

  describe("with timestamp_header", () => {
    const sent = 1765000000;
    const timed = configOf({
      type: "hmac",
      secret: "s3cret",
      header: "X-Signature",
      timestamp_header: "X-Timestamp",
    });
    const body = '{"kind":"order.paid"}';
    const request = (timestamp: string, signedAs = timestamp) =>
      inbound(
        {
          "X-Signature": hmacOf("sha256", "s3cret", `${signedAs}.${body}`, "hex"),
          "X-Timestamp": timestamp,
        },
        body,
      );

    test("signs <timestamp>.<body>", () => {
      expect(verifyRequest(timed, request(`${sent}`), at(sent))).toEqual(OK);
    });

    test("a signature of the body alone is a mismatch", () => {
      const bodyOnly = inbound(
        { "X-Signature": hmacOf("sha256", "s3cret", body, "hex"), "X-Timestamp": `${sent}` },
        body,
      );
      expect(verifyRequest(timed, bodyOnly, at(sent))).toEqual(
        failure("X-Signature: signature mismatch"),
      );
    });

    test("a timestamp changed after signing is a mismatch", () => {
      expect(verifyRequest(timed, request(`${sent + 1}`, `${sent}`), at(sent))).toEqual(
        failure("X-Signature: signature mismatch"),
      );
    });

    test.each<[string, number, Verification]>([
      ["5m old", sent + 300, OK],
      [
        "5m 1s old",
        sent + 301,
        failure("X-Timestamp: timestamp outside the 5m tolerance (301s old)"),
      ],
      [
        "5m 1s in the future",
        sent - 301,
        failure("X-Timestamp: timestamp outside the 5m tolerance (301s in the future)"),
      ],
    ])("a timestamp %s", (_name, when, expected) => {
      expect(verifyRequest(timed, request(`${sent}`), at(when))).toEqual(expected);
    });

    test("a missing or non-numeric timestamp is refused", () => {
      const untimed = inbound({ "X-Signature": hmacOf("sha256", "s3cret", body, "hex") }, body);
      expect(verifyRequest(timed, untimed, at(sent))).toEqual(
        failure("missing X-Timestamp header"),
      );
      expect(verifyRequest(timed, request("2026-12-05T10:00:00Z"), at(sent))).toEqual(
        failure("X-Timestamp: not Unix seconds"),
      );
    });
  });

  test("names neither the delivery nor the type", () => {
    const request = inbound({ "X-Signature": good }, '{"id":"1","type":"x"}');
    expect(deliveryIdOf(config, request)).toBeUndefined();
    expect(providerEventType(config, request)).toBeUndefined();
  });
});
