import { describe, expect, test } from "bun:test";
import { isStorableJson } from "../../../src/lib/storable-text.ts";

describe("isStorableJson", () => {
  test.each([
    [JSON.stringify({ a: "\u0000" }), false],
    [JSON.stringify({ "k\u0000": 1 }), false],
    [JSON.stringify(["\\\u0000"]), false],
    ['{"a": "\\ud800"}', false],
    ['{"\\udc00": 1}', false],
    ['["\\ud83d\\ude00"]', true],
    [JSON.stringify({ a: "\\u0000" }), true],
    [JSON.stringify({ a: "u0000 \u0001 😀" }), true],
  ])("%s → %p", (json, expected) => {
    expect(isStorableJson(JSON.parse(json), json)).toBe(expected);
  });
});
