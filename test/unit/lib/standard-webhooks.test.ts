import { describe, expect, test } from "bun:test";
import { Webhook } from "svix";
import {
  decodeWebhookSecret,
  generateEndpointSecret,
  signStandardWebhook,
  validateWebhookSecret,
  verifyStandardWebhook,
} from "../../../src/lib/standard-webhooks.ts";

// The secret from the Standard Webhooks spec's own examples.
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const otherSecret = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=";
const body = '{"type":"task.update","timestamp":"2026-11-22T10:00:00.000Z","data":{"id":1}}';
const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

function signedHeaders(signer: string, at: Date, messageId = id, payload = body) {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signStandardWebhook({
      secret: signer,
      id: messageId,
      timestamp: at,
      body: payload,
    }),
  };
}

describe("signStandardWebhook", () => {
  test("produces what svix's Webhook.sign produces", () => {
    const at = new Date("2026-11-22T10:00:00Z");
    expect(signStandardWebhook({ secret, id, timestamp: at, body })).toBe(
      new Webhook(secret).sign(id, at, body),
    );
  });

  test("takes the timestamp as a Date or as Unix seconds", () => {
    const at = new Date("2026-11-22T10:00:00.900Z");
    const seconds = Math.floor(at.getTime() / 1000);
    expect(signStandardWebhook({ secret, id, timestamp: seconds, body })).toBe(
      signStandardWebhook({ secret, id, timestamp: at, body }),
    );
  });

  test("accepts the secret without its whsec_ prefix", () => {
    const at = new Date();
    expect(signStandardWebhook({ secret: secret.slice(6), id, timestamp: at, body })).toBe(
      signStandardWebhook({ secret, id, timestamp: at, body }),
    );
  });

  test("refuses a secret that is not base64", () => {
    expect(() =>
      signStandardWebhook({ secret: "whsec_not base64!", id, timestamp: 0, body }),
    ).toThrow("not whsec_ followed by base64");
  });

  test("a message it signs passes svix's Webhook.verify", () => {
    const headers = signedHeaders(secret, new Date());
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  test("svix accepts a header listing an old-key signature beside ours", () => {
    const at = new Date();
    const ours = signedHeaders(secret, at);
    const old = signedHeaders(otherSecret, at)["webhook-signature"];
    const headers = { ...ours, "webhook-signature": `${old} ${ours["webhook-signature"]}` };
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  test("a message signed with another secret fails svix's Webhook.verify", () => {
    const headers = signedHeaders(otherSecret, new Date());
    expect(() => new Webhook(secret).verify(body, headers)).toThrow("No matching signature");
  });
});

describe("verifyStandardWebhook", () => {
  const now = new Date("2026-11-22T10:00:00Z");

  test("accepts a message signed by svix's Webhook.sign", () => {
    const at = new Date();
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, at, body),
    };
    const result = verifyStandardWebhook({ secret, headers, body });
    expect(result).toEqual({
      ok: true,
      id,
      timestamp: new Date(Math.floor(at.getTime() / 1000) * 1000),
    });
  });

  test("accepts the body as bytes", () => {
    const headers = signedHeaders(secret, now);
    const bytes = new TextEncoder().encode(body);
    expect(verifyStandardWebhook({ secret, headers, body: bytes, now }).ok).toBe(true);
  });

  test("reads a Headers object and svix-* header names", () => {
    const signed = signedHeaders(secret, now);
    const headers = new Headers({
      "Svix-Id": signed["webhook-id"],
      "Svix-Timestamp": signed["webhook-timestamp"],
      "Svix-Signature": signed["webhook-signature"],
    });
    expect(verifyStandardWebhook({ secret, headers, body, now }).ok).toBe(true);
  });

  test("reads header names in any case", () => {
    const signed = signedHeaders(secret, now);
    const headers = Object.fromEntries(
      Object.entries(signed).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect(verifyStandardWebhook({ secret, headers, body, now }).ok).toBe(true);
  });

  test.each([["webhook-id"], ["webhook-timestamp"], ["webhook-signature"]] as const)(
    "rejects a message without %s",
    (missing) => {
      const headers: Record<string, string> = { ...signedHeaders(secret, now) };
      delete headers[missing];
      expect(verifyStandardWebhook({ secret, headers, body, now })).toEqual({
        ok: false,
        reason: "missing headers",
      });
    },
  );

  test.each([["soon"], ["-5"], ["1.5"], ["1e9"]])("rejects the timestamp %p", (timestamp) => {
    const headers = { ...signedHeaders(secret, now), "webhook-timestamp": timestamp };
    expect(verifyStandardWebhook({ secret, headers, body, now })).toEqual({
      ok: false,
      reason: "invalid timestamp",
    });
  });

  test.each([
    ["exactly at the tolerance in the past", -300, "ok"],
    ["one second past the tolerance", -301, "timestamp too old"],
    ["exactly at the tolerance in the future", 300, "ok"],
    ["one second ahead of the tolerance", 301, "timestamp too new"],
  ] as const)("judges a timestamp %s", (_name, offsetSeconds, expected) => {
    const headers = signedHeaders(secret, new Date(now.getTime() + offsetSeconds * 1000));
    const result = verifyStandardWebhook({ secret, headers, body, now });
    expect(result.ok ? "ok" : result.reason).toBe(expected);
  });

  test("honours a custom tolerance", () => {
    const headers = signedHeaders(secret, new Date(now.getTime() - 60_000));
    const strict = verifyStandardWebhook({ secret, headers, body, now, toleranceSeconds: 30 });
    expect(strict).toEqual({ ok: false, reason: "timestamp too old" });
  });

  test.each<[string, { body?: string; headers?: Record<string, string> }]>([
    ["a tampered body", { body: `${body} ` }],
    ["a different id", { headers: { "webhook-id": "msg_other" } }],
    ["a shifted timestamp", { headers: { "webhook-timestamp": String(now.getTime() / 1000 + 1) } }],
  ])("rejects %s", (_name, change) => {
    const headers = { ...signedHeaders(secret, now), ...change.headers };
    const result = verifyStandardWebhook({ secret, headers, body: change.body ?? body, now });
    expect(result).toEqual({ ok: false, reason: "no matching signature" });
  });

  test("rejects a message signed with another secret", () => {
    const headers = signedHeaders(otherSecret, now);
    expect(verifyStandardWebhook({ secret, headers, body, now })).toEqual({
      ok: false,
      reason: "no matching signature",
    });
  });

  test("accepts a header listing several signatures when one matches (sender rotating keys)", () => {
    const ours = signedHeaders(secret, now)["webhook-signature"];
    const theirs = signedHeaders(otherSecret, now)["webhook-signature"];
    const headers = {
      ...signedHeaders(secret, now),
      "webhook-signature": `${theirs} v2,abc ${ours}`,
    };
    expect(verifyStandardWebhook({ secret, headers, body, now }).ok).toBe(true);
  });

  test("ignores entries of other versions even when their value matches", () => {
    const ours = signedHeaders(secret, now)["webhook-signature"];
    const headers = {
      ...signedHeaders(secret, now),
      "webhook-signature": ours.replace("v1,", "v2,"),
    };
    expect(verifyStandardWebhook({ secret, headers, body, now }).ok).toBe(false);
  });

  test("accepts any of several secrets (receiver rotating keys)", () => {
    const headers = signedHeaders(otherSecret, now);
    const result = verifyStandardWebhook({ secrets: [secret, otherSecret], headers, body, now });
    expect(result.ok).toBe(true);
  });

  test("fails closed when no secret is usable", () => {
    const headers = signedHeaders(secret, now);
    const result = verifyStandardWebhook({ secrets: ["", "whsec_???"], headers, body, now });
    expect(result).toEqual({ ok: false, reason: "no matching signature" });
  });
});

describe("generateEndpointSecret", () => {
  test("is whsec_ followed by base64 of 24 random bytes", () => {
    const generated = generateEndpointSecret();
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(decodeWebhookSecret(generated)?.length).toBe(24);
    expect(generateEndpointSecret()).not.toBe(generated);
  });

  test("is accepted by svix", () => {
    const generated = generateEndpointSecret();
    const headers = signedHeaders(generated, new Date());
    expect(() => new Webhook(generated).verify(body, headers)).not.toThrow();
  });
});

describe("validateWebhookSecret", () => {
  test.each([
    ["a generated secret", generateEndpointSecret()],
    ["the bare base64", secret.slice(6)],
  ])("accepts %s", (_name, candidate) => {
    expect(validateWebhookSecret(candidate)).toBeUndefined();
  });

  test.each([
    ["a number", 42, "secret must be a string"],
    ["an empty string", "", "secret must be whsec_ followed by base64"],
    ["URL-safe base64", "whsec_ab-_cd__", "secret must be whsec_ followed by base64"],
    ["unpadded base64", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_ followed by base64"],
    ["a short key", "whsec_c2hvcnQ=", "secret must decode to 16-128 bytes, got 5"],
  ])("refuses %s", (_name, candidate, message) => {
    expect(validateWebhookSecret(candidate)).toContain(message);
  });
});
