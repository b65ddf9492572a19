import { describe, expect, test } from "bun:test";
import {
  deliveryIdOf,
  maskedVerifier,
  maskSecret,
  parseVerifier,
  VERIFIER_TYPES,
  type VerifierConfig,
} from "../../../src/sources/providers/index.ts";
import { configOf, inbound } from "./inbound.ts";

const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** One config of every type, as a user might send it. */
const EXAMPLES: Record<(typeof VERIFIER_TYPES)[number], Record<string, unknown>> = {
  stripe: { type: "stripe", secret: "whsec_5f0c3d2e1a9b8c7d6e5f4a3b2c1d0e9f" },
  shopify: { type: "shopify", secrets: ["shpss_0123456789abcdef0123456789abcdef", "old-secret"] },
  slack: { type: "slack", secret: "8f742231b10e8888abcd99yyyzzz85a5", tolerance: "300s" },
  github: { type: "github", secret: "It's a Secret to Everybody" },
  "standard-webhooks": { type: "standard-webhooks", secret: SW_SECRET },
  hmac: {
    type: "hmac",
    secret: "a-long-shared-signing-secret",
    header: "X-Signature",
    algorithm: "sha512",
    encoding: "base64",
    prefix: "v1=",
    timestamp_header: "X-Timestamp",
    tolerance: "2m",
  },
  basic: { type: "basic", username: "sender", secret: "hunter2" },
  "api-key": { type: "api-key", header: "X-Api-Key", secret: "key_live_0123456789abcdef" },
  none: { type: "none" },
};

describe("parseVerifier", () => {
  test("turns secret into secrets and fills in the defaults", () => {
    expect(configOf({ type: "stripe", secret: "whsec_abc" })).toEqual({
      type: "stripe",
      tolerance: "5m",
      secrets: ["whsec_abc"],
    });
    expect(configOf({ type: "hmac", secret: "s", header: "X-Sig" })).toEqual({
      type: "hmac",
      header: "X-Sig",
      algorithm: "sha256",
      encoding: "hex",
      secrets: ["s"],
    });
    expect(
      configOf({ type: "hmac", secret: "s", header: "X-Sig", timestamp_header: "X-Ts" }),
    ).toEqual({
      type: "hmac",
      header: "X-Sig",
      algorithm: "sha256",
      encoding: "hex",
      timestamp_header: "X-Ts",
      tolerance: "5m",
      secrets: ["s"],
    });
  });

  test("keeps a tolerance as the user wrote it", () => {
    expect(configOf(EXAMPLES.slack)).toMatchObject({ tolerance: "300s" });
  });

  test.each(VERIFIER_TYPES)("a stored %s config parses back to itself", (type) => {
    const config = configOf(EXAMPLES[type]);
    expect(config.type).toBe(type);
    expect(parseVerifier(JSON.parse(JSON.stringify(config)))).toEqual({ ok: true, config });
  });

  const problems = (input: unknown) => {
    const parsed = parseVerifier(input);
    return parsed.ok ? [] : parsed.problems;
  };

  test.each<[string, unknown, { field: string; message: string }[]]>([
    ["not an object", "stripe", [{ field: "verifier", message: "must be an object" }]],
    ["a list", [], [{ field: "verifier", message: "must be an object" }]],
    [
      "no type",
      { secret: "s" },
      [
        {
          field: "verifier.type",
          message: `required; must be one of ${VERIFIER_TYPES.join(", ")}`,
        },
      ],
    ],
    [
      "an unknown type",
      { type: "paypal", secret: "s" },
      [{ field: "verifier.type", message: `must be one of ${VERIFIER_TYPES.join(", ")}` }],
    ],
    [
      "no secret",
      { type: "stripe" },
      [{ field: "verifier.secret", message: "required (or secrets, a list of 1-10 for rotation)" }],
    ],
    [
      "both secret and secrets",
      { type: "stripe", secret: "a", secrets: ["b"] },
      [{ field: "verifier.secrets", message: "give secret or secrets, not both" }],
    ],
    [
      "an empty secret",
      { type: "github", secret: "" },
      [{ field: "verifier.secret", message: "must not be empty" }],
    ],
    [
      "a secret that is a number",
      { type: "github", secret: 42 },
      [{ field: "verifier.secret", message: "must be a string" }],
    ],
    [
      "an empty list of secrets",
      { type: "github", secrets: [] },
      [{ field: "verifier.secrets", message: "must be a list of 1-10 strings" }],
    ],
    [
      "eleven secrets",
      { type: "github", secrets: Array.from({ length: 11 }, (_, i) => `s${i}`) },
      [{ field: "verifier.secrets", message: "must be a list of 1-10 strings" }],
    ],
    [
      "an empty secret among others",
      { type: "github", secrets: ["good", ""] },
      [{ field: "verifier.secrets[1]", message: "must not be empty" }],
    ],
    [
      "a secret with a trailing newline",
      { type: "shopify", secret: "pasted\n" },
      [{ field: "verifier.secret", message: "must not begin or end with whitespace" }],
    ],
    [
      "a standard-webhooks secret that is not whsec_",
      { type: "standard-webhooks", secrets: [SW_SECRET, "plain-text"] },
      [{ field: "verifier.secrets[1]", message: "secret must be whsec_ followed by base64" }],
    ],
    [
      "a misspelt field",
      { type: "stripe", secret: "s", tolerence: "5m" },
      [
        {
          field: "verifier.tolerence",
          message: "unknown field; a stripe verifier takes type, secret, secrets, tolerance",
        },
      ],
    ],
    [
      "a secret for none",
      { type: "none", secret: "s" },
      [{ field: "verifier.secret", message: "unknown field; a none verifier takes type" }],
    ],
    [
      "a tolerance that is not a duration",
      { type: "slack", secret: "s", tolerance: "five minutes" },
      [{ field: "verifier.tolerance", message: 'must be a duration such as "30s" or "5m"' }],
    ],
    [
      "a tolerance in bare seconds",
      { type: "slack", secret: "s", tolerance: 300 },
      [{ field: "verifier.tolerance", message: "must be a string" }],
    ],
    [
      "a tolerance of a day",
      { type: "stripe", secret: "s", tolerance: "1d" },
      [{ field: "verifier.tolerance", message: "must be between 1s and 1h" }],
    ],
    [
      "a tolerance of nothing",
      { type: "stripe", secret: "s", tolerance: "0s" },
      [{ field: "verifier.tolerance", message: "must be between 1s and 1h" }],
    ],
    [
      "hmac without a header",
      { type: "hmac", secret: "s" },
      [{ field: "verifier.header", message: "required" }],
    ],
    [
      "hmac with an unknown algorithm",
      { type: "hmac", secret: "s", header: "X-Sig", algorithm: "md5" },
      [{ field: "verifier.algorithm", message: "must be one of sha256, sha1, sha512" }],
    ],
    [
      "hmac with an unknown encoding",
      { type: "hmac", secret: "s", header: "X-Sig", encoding: "base32" },
      [{ field: "verifier.encoding", message: "must be one of hex, base64" }],
    ],
    [
      "hmac with a header name holding a space",
      { type: "hmac", secret: "s", header: "X Sig" },
      [{ field: "verifier.header", message: "must be a header name (letters, digits, -)" }],
    ],
    [
      "hmac with an empty prefix",
      { type: "hmac", secret: "s", header: "X-Sig", prefix: "" },
      [{ field: "verifier.prefix", message: "must not be empty" }],
    ],
    [
      "hmac with a tolerance but no timestamp header",
      { type: "hmac", secret: "s", header: "X-Sig", tolerance: "5m" },
      [{ field: "verifier.tolerance", message: "applies only with timestamp_header" }],
    ],
    [
      "hmac whose timestamp comes in its signature header",
      { type: "hmac", secret: "s", header: "X-Sig", timestamp_header: "x-sig" },
      [{ field: "verifier.timestamp_header", message: "must differ from header" }],
    ],
    [
      "basic without a username",
      { type: "basic", secret: "p" },
      [{ field: "verifier.username", message: "required" }],
    ],
    [
      "basic with a colon in the username",
      { type: "basic", username: "a:b", secret: "p" },
      [{ field: "verifier.username", message: "must not contain a colon" }],
    ],
    [
      "api-key without a header",
      { type: "api-key", secret: "k" },
      [{ field: "verifier.header", message: "required" }],
    ],
  ])("%s is a problem naming its field", (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  test("names every problem at once", () => {
    const fields = problems({ type: "hmac", secrets: [""], algorithm: "md5", colour: "red" }).map(
      (problem) => problem.field,
    );
    expect(fields).toEqual([
      "verifier.secrets[0]",
      "verifier.header",
      "verifier.algorithm",
      "verifier.colour",
    ]);
  });
});

describe("maskedVerifier", () => {
  test.each(VERIFIER_TYPES)("a masked %s config contains none of its secrets", (type) => {
    const config = configOf(EXAMPLES[type]);
    const masked = maskedVerifier(config);
    const shown = JSON.stringify(masked);
    const maskedSecrets = (masked.secrets ?? []) as string[];
    for (const secret of "secrets" in config ? config.secrets : []) {
      expect(shown).not.toContain(JSON.stringify(secret).slice(1, -1));
      // Nor does a masked secret show five characters of one, beyond the public prefix.
      const body = secret.replace(/^whsec_/, "");
      for (let i = 0; i + 5 <= body.length; i++) {
        for (const hint of maskedSecrets) expect(hint).not.toContain(body.slice(i, i + 5));
      }
    }
  });

  test("keeps every other field, so the API shows what the check does", () => {
    const config = configOf(EXAMPLES.hmac);
    expect(maskedVerifier(config)).toEqual({ ...config, secrets: ["…cret"] });
    expect(maskedVerifier(configOf(EXAMPLES.basic))).toEqual({
      type: "basic",
      username: "sender",
      secrets: ["…"],
    });
  });

  test.each([
    ["whsec_5f0c3d2e1a9b8c7d6e5f4a3b2c1d0e9f", "whsec_…0e9f"],
    ["8f742231b10e8888abcd99yyyzzz85a5", "…85a5"],
    ["Bearer 0123456789abcdefXYZW", "Bearer …XYZW"],
    ["hunter2", "…"],
    ["fifteen-chars!!", "…"],
    ["whsec_short", "whsec_…"],
  ])("%s is shown as %s", (secret, shown) => {
    expect(maskSecret(secret)).toBe(shown);
  });

  test("leaves the stored config untouched", () => {
    const config: VerifierConfig = configOf(EXAMPLES.stripe);
    maskedVerifier(config);
    expect(config).toEqual(configOf(EXAMPLES.stripe));
  });
});

describe("deliveryIdOf", () => {
  const stripe = configOf({ type: "stripe", secret: "s" });
  test.each<[string, unknown, string | undefined]>([
    ["an id", "evt_1", "evt_1"],
    ["an id of 256 characters", "e".repeat(256), "e".repeat(256)],
    ["an id of 257 characters is none", "e".repeat(257), undefined],
    ["an id with a control character is none", "evt\u0000", undefined],
    ["an empty id is none", "", undefined],
    ["a numeric id is none", 42, undefined],
  ])("%s", (_name, id, expected) => {
    expect(deliveryIdOf(stripe, inbound({}, JSON.stringify({ id })))).toBe(expected);
  });
});
