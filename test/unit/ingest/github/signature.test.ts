import { describe, expect, test } from "bun:test";
import {
  type SignatureCheck,
  signGitHubPayload,
  verifyGitHubSignature,
} from "../../../../src/ingest/github/signature.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const body = bytes('{"zen":"Keep it logically awesome."}');
const right = signGitHubPayload("s3cret", body);
const hex = right.slice("sha256=".length);

describe("signGitHubPayload", () => {
  test("matches the example in GitHub's documentation", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    expect(signGitHubPayload("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });

  test("signs a string as its UTF-8 bytes", () => {
    expect(signGitHubPayload("k", "héllo ✓")).toBe(signGitHubPayload("k", bytes("héllo ✓")));
  });
});

describe("verifyGitHubSignature", () => {
  const mismatch: SignatureCheck = { ok: false, reason: "signature mismatch" };
  const malformed: SignatureCheck = { ok: false, reason: "malformed signature" };
  const missing: SignatureCheck = { ok: false, reason: "missing signature" };

  test.each<[string, string | null | undefined, SignatureCheck]>([
    ["the right signature verifies", right, { ok: true }],
    ["upper-case hex verifies", `sha256=${hex.toUpperCase()}`, { ok: true }],
    ["surrounding whitespace is ignored", ` ${right} `, { ok: true }],
    [
      "a signature made with another secret is a mismatch",
      signGitHubPayload("other", body),
      mismatch,
    ],
    ["a signature of another body is a mismatch", signGitHubPayload("s3cret", "{}"), mismatch],
    ["no header is missing", null, missing],
    ["an undefined header is missing", undefined, missing],
    ["an empty header is missing", "", missing],
    ["a blank header is missing", "   ", missing],
    ["hex without the sha256= prefix is malformed", hex, malformed],
    ["the SHA-1 header format is malformed", `sha1=${hex.slice(0, 40)}`, malformed],
    ["a digest two digits short is malformed", right.slice(0, -2), malformed],
    ["a digest two digits long is malformed", `${right}00`, malformed],
    ["an odd number of digits is malformed", right.slice(0, -1), malformed],
    ["non-hex digits are malformed", `sha256=${"z".repeat(64)}`, malformed],
    ["an empty digest is malformed", "sha256=", malformed],
  ])("%s", (_name, header, expected) => {
    expect(verifyGitHubSignature(["s3cret"], header, body)).toEqual(expected);
  });

  test("a body changed by one byte no longer verifies", () => {
    const tampered = bytes('{"zen":"Keep it logically awesome!"}');
    expect(verifyGitHubSignature(["s3cret"], right, tampered)).toEqual(mismatch);
  });

  test.each([
    ["the first", "new"],
    ["the second", "old"],
  ])("during a rotation, a signature with %s secret verifies", (_which, secret) => {
    const header = signGitHubPayload(secret, body);
    expect(verifyGitHubSignature(["new", "old"], header, body)).toEqual({ ok: true });
  });

  test("during a rotation, a signature with neither secret is a mismatch", () => {
    const header = signGitHubPayload("neither", body);
    expect(verifyGitHubSignature(["new", "old"], header, body)).toEqual(mismatch);
  });

  test("an empty secret never authenticates, even a body signed with it", () => {
    const header = signGitHubPayload("", body);
    expect(verifyGitHubSignature(["", "s3cret"], header, body)).toEqual(mismatch);
  });

  test("with no secret at all, nothing verifies", () => {
    expect(verifyGitHubSignature([], right, body)).toEqual(mismatch);
  });
});
