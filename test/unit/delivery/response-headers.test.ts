import { describe, expect, test } from "bun:test";
import {
  keptResponseHeaders,
  MAX_HEADER_VALUE_CHARS,
  MAX_HEADERS,
  MAX_HEADERS_CHARS,
} from "../../../src/delivery/response-headers.ts";

const size = (kept: Record<string, string>) =>
  Object.entries(kept).reduce((total, [name, value]) => total + name.length + value.length, 0);

describe("keptResponseHeaders", () => {
  test("keeps a receiver's usual headers as they came, names in lower case", () => {
    const headers = new Headers({ "Content-Type": "text/plain", "X-Request-Id": "r-1" });
    expect(keptResponseHeaders(headers)).toEqual({
      "content-type": "text/plain",
      "x-request-id": "r-1",
    });
  });

  test("cuts a long value and marks the cut", () => {
    const kept = keptResponseHeaders(new Headers({ "x-long": "a".repeat(10_000) }));
    expect(kept["x-long"]).toBe(`${"a".repeat(MAX_HEADER_VALUE_CHARS)}…`);
  });

  test("a receiver answering with kilobytes of headers gets only a bounded share of them stored", () => {
    const many = new Headers();
    for (let i = 0; i < 500; i++) many.set(`x-h${String(i).padStart(3, "0")}`, "v".repeat(400));
    const kept = keptResponseHeaders(many);
    expect(size(kept)).toBeLessThanOrEqual(MAX_HEADERS_CHARS);
    expect(Object.keys(kept).length).toBeGreaterThan(0);

    const small = new Headers();
    for (let i = 0; i < 500; i++) small.set(`x-${i}`, "v");
    expect(Object.keys(keptResponseHeaders(small))).toHaveLength(MAX_HEADERS);
  });

  test("repeated set-cookie headers are kept together", () => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    expect(keptResponseHeaders(headers)["set-cookie"]).toBe("a=1, b=2");
  });
});
