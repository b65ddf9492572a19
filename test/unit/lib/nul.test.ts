import { describe, expect, test } from "bun:test";
import { jsonHoldsNul } from "../../../src/lib/nul.ts";

/** Every key and string value of a parsed JSON document. */
const stringsOf = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
      ? Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)])
      : [];

describe("jsonHoldsNul", () => {
  test.each([
    [JSON.stringify({ a: "\u0000" }), true],
    [JSON.stringify({ "k\u0000": 1 }), true],
    [JSON.stringify(["\\\u0000"]), true],
    [JSON.stringify({ a: "\\u0000" }), false],
    [JSON.stringify({ a: "\\\\u0000" }), false],
    [JSON.stringify({ a: "u0000 \u0001" }), false],
  ])("%s → %p, as JSON.parse sees it", (json, expected) => {
    expect(jsonHoldsNul(json)).toBe(expected);
    expect(stringsOf(JSON.parse(json)).some((text) => text.includes("\u0000"))).toBe(expected);
  });
});
