import { describe, expect, test } from "bun:test";
import { decodeGitHubBody } from "../../../../src/ingest/github/body.ts";
import {
  signGitHubPayload,
  verifyGitHubSignature,
} from "../../../../src/ingest/github/signature.ts";

const body = new TextEncoder().encode('{"zen":"Keep it logically awesome."}');
const bytes = (text: string) => new TextEncoder().encode(text);

describe("verifyGitHubSignature", () => {
  test("GitHub's own example from its docs verifies", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(
      verifyGitHubSignature(["It's a Secret to Everybody"], signature, bytes("Hello, World!")),
    ).toEqual({
      ok: true,
    });
  });

  test.each([
    ["the right signature", signGitHubPayload("s3cret", body), { ok: true }],
    [
      "an upper-case hex signature",
      signGitHubPayload("s3cret", body).toUpperCase().replace("SHA256", "sha256"),
      { ok: true },
    ],
    [
      "a signature made with another secret",
      signGitHubPayload("other", body),
      { ok: false, reason: "signature mismatch" },
    ],
    ["no signature", null, { ok: false, reason: "missing signature" }],
    ["an empty signature", "", { ok: false, reason: "missing signature" }],
    [
      "the SHA-1 header format",
      "sha1=0123456789abcdef0123456789abcdef01234567",
      { ok: false, reason: "malformed signature" },
    ],
    [
      "a truncated signature",
      signGitHubPayload("s3cret", body).slice(0, 40),
      { ok: false, reason: "malformed signature" },
    ],
    [
      "a non-hex signature",
      `sha256=${"z".repeat(64)}`,
      { ok: false, reason: "malformed signature" },
    ],
  ])("%s", (_name, header, expected) => {
    expect(verifyGitHubSignature(["s3cret"], header, body)).toEqual(expected as never);
  });

  test("a body changed by one byte no longer verifies", () => {
    const signature = signGitHubPayload("s3cret", body);
    const tampered = bytes('{"zen":"Keep it logically awesome!"}');
    expect(verifyGitHubSignature(["s3cret"], signature, tampered).ok).toBe(false);
  });

  test("during a rotation either secret verifies", () => {
    expect(verifyGitHubSignature(["old", "new"], signGitHubPayload("new", body), body)).toEqual({
      ok: true,
    });
    expect(verifyGitHubSignature(["old", "new"], signGitHubPayload("old", body), body)).toEqual({
      ok: true,
    });
  });
});

describe("decodeGitHubBody", () => {
  test("reads application/json", () => {
    expect(decodeGitHubBody("application/json", bytes('{"a":1}'))).toEqual({
      ok: true,
      payload: { a: 1 },
    });
  });

  test("reads form-encoded payload=", () => {
    const form = new URLSearchParams({ payload: '{"a":"b c&d"}' }).toString();
    expect(decodeGitHubBody("application/x-www-form-urlencoded", bytes(form))).toEqual({
      ok: true,
      payload: { a: "b c&d" },
    });
  });

  test.each([
    ["not JSON", "application/json", "nope", 400, "the body is not valid JSON"],
    [
      "truncated JSON",
      "application/json",
      '{"ref": "refs/heads/ma',
      400,
      "the body is not valid JSON",
    ],
    [
      "JSON that is not an object",
      "application/json",
      "[1,2]",
      400,
      "the body is JSON but not an object",
    ],
    [
      "a form without payload",
      "application/x-www-form-urlencoded",
      "other=1",
      400,
      "a form-encoded delivery needs a payload field",
    ],
    [
      "an unsupported content type",
      "text/plain",
      "{}",
      415,
      'unsupported content type "text/plain"',
    ],
  ])("refuses %s", (_name, type, text, status, error) => {
    const decoded = decodeGitHubBody(type, bytes(text));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.status).toBe(status as 400 | 415);
      expect(decoded.error).toStartWith(error);
    }
  });

  test("refuses invalid UTF-8", () => {
    expect(decodeGitHubBody("application/json", new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({
      ok: false,
      status: 400,
      error: "the body is not valid UTF-8",
    });
  });
});
