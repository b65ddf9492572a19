import { describe, expect, test } from "bun:test";
import {
  isStorableJson,
  MAX_JSON_DEPTH,
  reusableJsonText,
  unstorableJson,
} from "../../../src/lib/storable.ts";

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

  test("takes many brackets side by side, and counts braces and brackets together", () => {
    const siblings = `[${Array.from({ length: MAX_JSON_DEPTH * 2 }, () => "{}").join(",")}]`;
    expect(check(siblings)).toBeUndefined();
    const half = (MAX_JSON_DEPTH + 1) / 2;
    const mixed = `${'{"a":['.repeat(Math.ceil(half))}${"]}".repeat(Math.ceil(half))}`;
    expect(check(mixed)).toContain("nests deeper than");
  });

  test("counts no bracket inside a string, escaped quotes included", () => {
    const brackets = "[".repeat(MAX_JSON_DEPTH * 2);
    expect(check(JSON.stringify({ text: brackets, quoted: `\\"${brackets}` }))).toBeUndefined();
  });

  test("names a NUL as what cannot be stored", () => {
    expect(check(JSON.stringify({ a: "\u0000" }))).toContain("NUL");
  });
});

describe("reusableJsonText", () => {
  test.each([
    ["ordinary JSON", '{"n": 12.5e-3, "big": 9007199254740993, "s": "text"}'],
    ["exponents jsonb holds, even past JavaScript's range", '{"n": 1e400, "m": -2E-999}'],
    ["commit ids whose hex looks like an exponent", '{"after": "7e1234e5678aa", "x": "1e99999"}'],
    ["a long number", `{"n": ${"9".repeat(400)}}`],
  ])("takes %s as it came", (_name, json) => {
    expect(reusableJsonText(json)).toBe(json);
  });

  test.each([
    ["an exponent past 1000", '{"n": 1e1001}'],
    ["a negative one, after whitespace in an array", "[1,\n  -2.5E-4000]"],
    ["a number alone", "3e12345"],
    ["more digits than numeric holds", `{"n": ${"9".repeat(20_000)}}`],
    ["a number alone just long enough to be refused", "9".repeat(16_000)],
  ])("leaves %s to be serialized again", (_name, json) => {
    expect(reusableJsonText(json)).toBeUndefined();
  });
});
