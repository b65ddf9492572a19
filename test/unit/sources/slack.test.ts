import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  handshakeAnswer,
  providerEventType,
  type Verification,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { at, configOf, failure, hmacOf, inbound, OK } from "./inbound.ts";

// The example in Slack's documentation, a slash command:
// https://api.slack.com/authentication/verifying-requests-from-slack
const VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const VECTOR_TIMESTAMP = 1531420618;
const VECTOR_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V" +
  "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=" +
  "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN" +
  "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

const config = configOf({ type: "slack", secret: VECTOR_SECRET });
/** `null` leaves a header out. */
const headers = (signature: string | null, timestamp: string | null = `${VECTOR_TIMESTAMP}`) => ({
  ...(signature === null ? {} : { "X-Slack-Signature": signature }),
  ...(timestamp === null ? {} : { "X-Slack-Request-Timestamp": timestamp }),
});
const signed = (secret: string, body: string, timestamp = VECTOR_TIMESTAMP) =>
  inbound(
    headers(`v0=${hmacOf("sha256", secret, `v0:${timestamp}:${body}`, "hex")}`, `${timestamp}`),
    body,
  );

describe("slack verifier", () => {
  test("verifies the example in Slack's documentation", () => {
    const request = inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY);
    expect(verifyRequest(config, request, at(VECTOR_TIMESTAMP))).toEqual(OK);
  });

  test("a body changed after signing is a mismatch", () => {
    const request = inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY.replace("foobar", "general"));
    expect(verifyRequest(config, request, at(VECTOR_TIMESTAMP))).toEqual(
      failure("X-Slack-Signature: signature mismatch"),
    );
  });

  test("a timestamp changed after signing is a mismatch", () => {
    const request = inbound(headers(VECTOR_SIGNATURE, `${VECTOR_TIMESTAMP + 1}`), VECTOR_BODY);
    expect(verifyRequest(config, request, at(VECTOR_TIMESTAMP))).toEqual(
      failure("X-Slack-Signature: signature mismatch"),
    );
  });

  test("another secret is a mismatch", () => {
    const other = configOf({ type: "slack", secret: "0123456789abcdef0123456789abcdef" });
    const request = inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY);
    expect(verifyRequest(other, request, at(VECTOR_TIMESTAMP))).toEqual(
      failure("X-Slack-Signature: signature mismatch"),
    );
  });

  test.each([["next_signing_secret"], [VECTOR_SECRET]])(
    "during a rotation, a request signed with %s verifies",
    (signer) => {
      const rotating = configOf({ type: "slack", secrets: ["next_signing_secret", VECTOR_SECRET] });
      const request = signed(signer, '{"type":"event_callback"}');
      expect(verifyRequest(rotating, request, at(VECTOR_TIMESTAMP))).toEqual(OK);
    },
  );

  test.each<[string, number, Verification]>([
    ["5m old", VECTOR_TIMESTAMP + 300, OK],
    [
      "5m 1s old",
      VECTOR_TIMESTAMP + 301,
      failure("X-Slack-Request-Timestamp: timestamp outside the 5m tolerance (301s old)"),
    ],
    [
      "5m 1s in the future",
      VECTOR_TIMESTAMP - 301,
      failure("X-Slack-Request-Timestamp: timestamp outside the 5m tolerance (301s in the future)"),
    ],
  ])("a timestamp %s", (_name, now, expected) => {
    const request = inbound(headers(VECTOR_SIGNATURE), VECTOR_BODY);
    expect(verifyRequest(config, request, at(now))).toEqual(expected);
  });

  test.each<[string, Record<string, string>, string]>([
    ["no signature", headers(null), "missing X-Slack-Signature header"],
    ["no timestamp", headers(VECTOR_SIGNATURE, null), "missing X-Slack-Request-Timestamp header"],
    [
      "a timestamp in milliseconds with a fraction",
      headers(VECTOR_SIGNATURE, "1531420618.5"),
      "X-Slack-Request-Timestamp: not Unix seconds",
    ],
    [
      "a signature without v0=",
      headers(VECTOR_SIGNATURE.slice(3)),
      "X-Slack-Signature: not v0= followed by 64 hex digits",
    ],
    [
      "a v1 signature",
      headers(`v1=${VECTOR_SIGNATURE.slice(3)}`),
      "X-Slack-Signature: not v0= followed by 64 hex digits",
    ],
    [
      "a signature cut short",
      headers(VECTOR_SIGNATURE.slice(0, -1)),
      "X-Slack-Signature: not v0= followed by 64 hex digits",
    ],
  ])("%s is refused", (_name, given, reason) => {
    expect(verifyRequest(config, inbound(given, VECTOR_BODY), at(VECTOR_TIMESTAMP))).toEqual(
      failure(reason),
    );
  });

  describe("event type", () => {
    const interaction = new URLSearchParams({
      payload: JSON.stringify({ type: "block_actions", actions: [] }),
    }).toString();
    test.each<[string, string, string | undefined]>([
      [
        "an Events API callback is its event's type",
        '{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}',
        "app_mention",
      ],
      [
        "a URL check is url_verification",
        '{"type":"url_verification","challenge":"c"}',
        "url_verification",
      ],
      ["a rate-limit notice is its own type", '{"type":"app_rate_limited"}', "app_rate_limited"],
      ["an interactivity payload is its type", interaction, "block_actions"],
      ["a slash command is slash_command", VECTOR_BODY, "slash_command"],
      ["an interactivity payload that is not JSON has none", "payload=%7Bnot", undefined],
      ["a callback without an event has none", '{"type":"event_callback"}', undefined],
      ["a body of neither kind has none", "plain text", undefined],
    ])("%s", (_name, body, type) => {
      expect(providerEventType(config, inbound({}, body))).toBe(type);
    });
  });

  test("the delivery is the Events API event_id, when there is one", () => {
    const callback = inbound({}, '{"type":"event_callback","event_id":"Ev08MFMKH6"}');
    expect(deliveryIdOf(config, callback)).toBe("Ev08MFMKH6");
    expect(deliveryIdOf(config, inbound({}, VECTOR_BODY))).toBeUndefined();
  });

  describe("handshake", () => {
    test("a URL check is answered with its challenge", () => {
      const check = inbound(
        {},
        '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}',
      );
      expect(handshakeAnswer(config, check)).toEqual({
        status: 200,
        body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" },
      });
    });

    test.each([
      ["an event callback", '{"type":"event_callback","event":{"type":"message"}}'],
      ["a URL check without a challenge", '{"type":"url_verification"}'],
      ["a slash command", VECTOR_BODY],
    ])("%s is no handshake", (_name, body) => {
      expect(handshakeAnswer(config, inbound({}, body))).toBeUndefined();
    });
  });
});
