import { describe, expect, test } from "bun:test";
import {
  credentialHeaders,
  type Verification,
  verifyRequest,
} from "../../../src/sources/providers/index.ts";
import { configOf, failure, inbound, OK } from "./inbound.ts";

const now = new Date("2026-12-05T10:00:00Z");
const basicHeader = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
const withAuthorization = (value?: string) =>
  inbound(value === undefined ? {} : { Authorization: value }, '{"ok":true}');

describe("basic verifier", () => {
  const config = configOf({ type: "basic", username: "sender", secrets: ["new pass", "old:pass"] });

  test.each<[string, string | undefined, Verification]>([
    ["the right credentials", basicHeader("sender:new pass"), OK],
    ["the other password during a change (a colon in it too)", basicHeader("sender:old:pass"), OK],
    ["the scheme in lower case", `basic ${Buffer.from("sender:new pass").toString("base64")}`, OK],
    [
      "a wrong password",
      basicHeader("sender:guess"),
      failure("Authorization: wrong username or password"),
    ],
    [
      "a wrong username",
      basicHeader("admin:new pass"),
      failure("Authorization: wrong username or password"),
    ],
    [
      "an empty password",
      basicHeader("sender:"),
      failure("Authorization: wrong username or password"),
    ],
    ["no header", undefined, failure("missing Authorization header")],
    ["a Bearer token", "Bearer new pass", failure("Authorization: not Basic credentials")],
    [
      "credentials without a colon",
      basicHeader("sender"),
      failure("Authorization: not Basic credentials"),
    ],
    [
      "credentials that are not base64",
      "Basic ***",
      failure("Authorization: not Basic credentials"),
    ],
  ])("%s", (_name, header, expected) => {
    expect(verifyRequest(config, withAuthorization(header), now)).toEqual(expected);
  });

  test("keeps authorization out of storage", () => {
    expect(credentialHeaders(config)).toContain("authorization");
  });
});

describe("api-key verifier", () => {
  const config = configOf({
    type: "api-key",
    header: "X-Api-Key",
    secrets: ["key-one", "key-two"],
  });
  const withKey = (key?: string) =>
    inbound(key === undefined ? {} : { "x-api-key": key }, '{"ok":true}');

  test.each<[string, string | undefined, Verification]>([
    ["the first key", "key-one", OK],
    ["the second key, during a rotation", "key-two", OK],
    ["a wrong key", "key-three", failure("X-Api-Key: wrong key")],
    ["a key's prefix", "key-", failure("X-Api-Key: wrong key")],
    ["a key with more after it", "key-one-more", failure("X-Api-Key: wrong key")],
    ["a key in the wrong case", "KEY-ONE", failure("X-Api-Key: wrong key")],
    ["no header", undefined, failure("missing X-Api-Key header")],
  ])("%s", (_name, key, expected) => {
    expect(verifyRequest(config, withKey(key), now)).toEqual(expected);
  });

  test("a Bearer token is the whole Authorization value", () => {
    const bearer = configOf({ type: "api-key", header: "Authorization", secret: "Bearer t0ken" });
    expect(verifyRequest(bearer, withAuthorization("Bearer t0ken"), now)).toEqual(OK);
    expect(verifyRequest(bearer, withAuthorization("t0ken"), now)).toEqual(
      failure("Authorization: wrong key"),
    );
  });

  test("keeps its header, in lower case, out of storage", () => {
    expect(credentialHeaders(config)).toContain("x-api-key");
  });
});

describe("none verifier", () => {
  test("accepts any request, as the user chose", () => {
    const config = configOf({ type: "none" });
    expect(verifyRequest(config, inbound({}, "anything"), now)).toEqual(OK);
  });
});

describe("credentialHeaders", () => {
  test.each([
    [{ type: "none" }],
    [{ type: "stripe", secret: "whsec_x" }],
    [{ type: "hmac", secret: "s", header: "X-Signature" }],
  ])("always names authorization, proxy-authorization and cookie: %o", (input) => {
    expect(credentialHeaders(configOf(input))).toEqual([
      "authorization",
      "proxy-authorization",
      "cookie",
    ]);
  });

  test("names each header once", () => {
    const config = configOf({ type: "api-key", header: "Authorization", secret: "Bearer k" });
    expect(credentialHeaders(config)).toEqual(["authorization", "proxy-authorization", "cookie"]);
  });
});
