import { describe, expect, test } from "bun:test";
import { type DecodedBody, decodeGitHubBody } from "../../../../src/ingest/github/body.ts";
import { defaultBranchPush, githubDelivery } from "../../../fixtures/github/push.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const FORM = "application/x-www-form-urlencoded";
const form = (payload: string) => new URLSearchParams({ payload }).toString();

describe("decodeGitHubBody: what GitHub sends", () => {
  test.each([
    ["json", "application/json"],
    ["form", FORM],
  ] as const)("a real push delivered as %s decodes to the payload", (contentType, header) => {
    const payload = defaultBranchPush();
    const delivery = githubDelivery({ event: "push", payload, contentType });
    expect(delivery.headers["content-type"]).toBe(header);
    expect(decodeGitHubBody(header, bytes(delivery.body))).toEqual({
      ok: true,
      payload,
      text: JSON.stringify(payload),
    });
  });

  test.each<[string, string | null, string, Record<string, unknown>]>([
    ["JSON with a charset parameter", "application/json; charset=utf-8", '{"a":1}', { a: 1 }],
    ["a content type in upper case", "Application/JSON", '{"a":1}', { a: 1 }],
    ["JSON without a content type", null, '{"a":1}', { a: 1 }],
    ["a +json content type", "application/vnd.github+json", '{"a":1}', { a: 1 }],
    ["JSON with a byte-order mark", "application/json", '\uFEFF{"a":1}', { a: 1 }],
    ["form: + and %20 are spaces, & is kept", FORM, form('{"a":"b c&d é"}'), { a: "b c&d é" }],
    ["form: payload among other fields", FORM, `x=1&${form('{"a":2}')}&y`, { a: 2 }],
    ["form: the first payload wins", FORM, `${form('{"a":1}')}&${form('{"a":2}')}`, { a: 1 }],
  ])("reads %s", (_name, type, text, payload) => {
    // Each JSON text here is written as JSON.stringify writes it.
    expect(decodeGitHubBody(type, bytes(text))).toEqual({
      ok: true,
      payload,
      text: JSON.stringify(payload),
    });
  });
});

describe("decodeGitHubBody: refused", () => {
  test.each<[string, string | null, string | Uint8Array, 400 | 415, string]>([
    [
      "a content type GitHub does not send",
      "text/plain",
      "{}",
      415,
      'unsupported content type "text/plain"',
    ],
    ["multipart", "multipart/form-data; boundary=x", "{}", 415, "unsupported content type"],
    ["a body that is not JSON", "application/json", "nope", 400, "the body is not valid JSON"],
    [
      "truncated JSON",
      "application/json",
      '{"ref": "refs/heads/ma',
      400,
      "the body is not valid JSON",
    ],
    ["an empty body", "application/json", "", 400, "the body is empty"],
    [
      "a JSON array",
      "application/json",
      "[1,2]",
      400,
      "the body is JSON but not an object (got an array)",
    ],
    ["JSON null", "application/json", "null", 400, "the body is JSON but not an object (got null)"],
    [
      "a JSON string",
      "application/json",
      '"push"',
      400,
      "the body is JSON but not an object (got string)",
    ],
    [
      "invalid UTF-8",
      "application/json",
      new Uint8Array([0x7b, 0xff, 0x7d]),
      400,
      "the body is not valid UTF-8",
    ],
    [
      "a truncated UTF-8 sequence",
      "application/json",
      new Uint8Array([0x22, 0xe2, 0x82]),
      400,
      "the body is not valid UTF-8",
    ],
    [
      "a form without payload",
      FORM,
      "other=1",
      400,
      "a form-encoded delivery needs a payload field",
    ],
    ["an empty form", FORM, "", 400, "a form-encoded delivery needs a payload field"],
    [
      "raw JSON sent as a form",
      FORM,
      '{"ref":"refs/heads/main"}',
      400,
      "a form-encoded delivery needs a payload field",
    ],
    [
      "a form payload that is not JSON",
      FORM,
      "payload=nope",
      400,
      "the form's payload field is not valid JSON",
    ],
    ["an empty form payload", FORM, "payload=", 400, "the form's payload field is empty"],
    [
      "a form payload of percent-encoded invalid UTF-8",
      FORM,
      "payload=%7B%FF%7D",
      400,
      "the form body is not valid percent-encoded UTF-8",
    ],
    [
      "a form with a broken percent escape",
      FORM,
      "payload=%7",
      400,
      "the form body is not valid percent-encoded UTF-8",
    ],
    [
      "a form with raw invalid UTF-8",
      FORM,
      new Uint8Array([0x70, 0x3d, 0xff]),
      400,
      "the body is not valid UTF-8",
    ],
  ])("%s", (_name, type, body, status, error) => {
    const decoded: DecodedBody = decodeGitHubBody(
      type,
      typeof body === "string" ? bytes(body) : body,
    );
    expect(decoded).toMatchObject({ ok: false, status });
    expect(decoded.ok === false && decoded.error).toStartWith(error);
  });
});
