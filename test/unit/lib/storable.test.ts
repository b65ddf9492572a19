import { describe, expect, test } from "bun:test";
import { isStorableJson, MAX_JSON_DEPTH, unstorableJson } from "../../../src/lib/storable.ts";

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

describe("unstorableJson", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const check = (json: string) => unstorableJson(JSON.parse(json), json);

  test("takes JSON nested as deep as MAX_JSON_DEPTH", () => {
    expect(check(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  test("refuses JSON nested one level deeper, and far deeper", () => {
    expect(check(nested(MAX_JSON_DEPTH + 1))).toContain("nests deeper than");
    expect(check(`{"a": ${nested(100_000)}}`)).toContain("nests deeper than");
  });

  test("counts no bracket inside a string, escaped quotes included", () => {
    const brackets = "[".repeat(MAX_JSON_DEPTH * 2);
    expect(check(JSON.stringify({ text: brackets, quoted: `\\"${brackets}` }))).toBeUndefined();
  });

  test("names a NUL as what cannot be stored", () => {
    expect(check(JSON.stringify({ a: "\u0000" }))).toContain("NUL");
  });
});
