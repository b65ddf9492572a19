import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../src/config.ts";
import { hostNameOf, isAllowedHost } from "../../../src/http/allowed-hosts.ts";
import { hasBody, isJsonContentType } from "../../../src/http/content-type.ts";
import { crossSiteRefusal } from "../../../src/http/same-origin.ts";

describe("isJsonContentType", () => {
  test.each([
    ["application/json", true],
    ["Application/JSON; charset=utf-8", true],
    ["application/cloudevents+json", true],
    ["application/vnd.api+json ; x=1", true],
    ["application/jsonx", false],
    ["text/plain", false],
    ["text/json", false],
    ["application/x-www-form-urlencoded", false],
    ["", false],
    [null, false],
  ])("%p → %p", (type, expected) => {
    expect(isJsonContentType(type)).toBe(expected);
  });
});

describe("hasBody", () => {
  const request = (headers: Record<string, string>) =>
    new Request("http://h/", { method: "POST", headers });
  test("a declared length above 0, or chunked, is a body; length 0 or nothing is not", () => {
    expect(hasBody(request({ "content-length": "3" }))).toBe(true);
    expect(hasBody(request({ "transfer-encoding": "chunked" }))).toBe(true);
    expect(hasBody(request({ "content-length": "0" }))).toBe(false);
    expect(hasBody(request({}))).toBe(false);
  });
});

describe("Host names", () => {
  test.each([
    ["Example.COM:8000", "example.com"],
    ["example.com.", "example.com"],
    ["[::1]:8000", "::1"],
    ["[fe80::1]", "fe80::1"],
    ["127.0.0.1:80", "127.0.0.1"],
  ])("hostNameOf(%p) is %p", (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });

  test("the loopback default answers loopback names only, and no request without Host", () => {
    const { allowedHosts } = loadConfig({});
    for (const host of ["localhost", "x.localhost:1", "127.0.0.1:8000", "[::1]:8000"]) {
      expect({ host, ok: isAllowedHost(host, allowedHosts) }).toEqual({ host, ok: true });
    }
    for (const host of ["evil.example", "localhost.evil.example", "127.0.0.2", "0.0.0.0"]) {
      expect({ host, ok: isAllowedHost(host, allowedHosts) }).toEqual({ host, ok: false });
    }
    expect(isAllowedHost(null, allowedHosts)).toBe(false);
    expect(isAllowedHost(null, undefined)).toBe(true);
  });
});

describe("crossSiteRefusal", () => {
  const request = (headers: Record<string, string>, url = "http://hooks.example:8000/x") =>
    new Request(url, { method: "POST", headers: { host: new URL(url).host, ...headers } });

  test.each([
    [{}, undefined],
    [{ "sec-fetch-site": "same-origin", origin: "http://hooks.example:8000" }, undefined],
    // Behind a proxy that ends TLS, the page is https while hookyard sees http.
    [{ origin: "https://hooks.example:8000" }, undefined],
    [{ "sec-fetch-site": "cross-site" }, "cross-site"],
    [{ "sec-fetch-site": "same-site" }, "cross-site"],
    [{ "sec-fetch-site": "none" }, "cross-site"],
    [{ origin: "http://evil.example" }, "foreign-origin"],
    [{ origin: "http://hooks.example:8001" }, "foreign-origin"],
    [{ origin: "null" }, "foreign-origin"],
  ] as const)("%p → %p", (headers, refusal) => {
    expect(crossSiteRefusal(request(headers))).toBe(refusal);
  });

  test("an https request from an http page on the same host is refused", () => {
    expect(
      crossSiteRefusal(request({ origin: "http://hooks.example" }, "https://hooks.example/x")),
    ).toBe("foreign-origin");
  });
});
