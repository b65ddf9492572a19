import { describe, expect, test } from "bun:test";
import {
  assertPublicDestination,
  type HostLookup,
  validateEndpointUrl,
} from "../../../src/delivery/ssrf.ts";

describe("validateEndpointUrl", () => {
  test.each([
    ["https://example.com/webhooks"],
    ["http://example.com:8080/hook?x=1"],
    ["https://[2606:4700::1]/"],
    ["http://10.0.0.5/"],
    [`https://example.com/${"a".repeat(2048 - 20)}`],
  ])("accepts %s", (url) => {
    expect(validateEndpointUrl(url)).toBeUndefined();
  });

  test.each([
    ["not a URL", "not a url", "is not a valid URL"],
    ["an empty string", "", "is not a valid URL"],
    ["ftp", "ftp://example.com/", "must use http or https, got ftp"],
    ["file", "file:///etc/passwd", "must use http or https, got file"],
    ["javascript", "javascript:alert(1)", "must use http or https"],
    ["a user and password", "https://user:pass@example.com/", "must not contain credentials"],
    ["a user only", "https://user@example.com/", "must not contain credentials"],
    ["no host", "http://", "is not a valid URL"],
    ["an overlong URL", `https://example.com/${"a".repeat(2048)}`, "at most 2048 characters"],
  ])("refuses %s", (_name, url, message) => {
    expect(validateEndpointUrl(url)).toContain(message);
  });
});

/** A resolver answering from a table, recording the names it was asked about. */
function fakeLookup(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup: HostLookup = async (hostname) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    }
    return addresses.map((address) => ({ address }));
  };
  return { lookup, asked };
}

const dns = fakeLookup({
  "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
  "internal.example.com": ["10.0.0.5"],
  "mixed.example.com": ["93.184.216.34", "192.168.1.10"],
  "metadata.example.com": ["169.254.169.254"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  "empty.example.com": [],
});

describe("assertPublicDestination", () => {
  test("accepts a name resolving only to public addresses", async () => {
    const check = await assertPublicDestination("https://hooks.example.com/in", {
      allowPrivate: false,
      lookup: dns.lookup,
    });
    expect(check).toEqual({ ok: true, addresses: ["93.184.216.34", "2606:2800:220:1::1"] });
  });

  test.each([
    ["internal.example.com", "a private address (10.0.0.5)"],
    ["mixed.example.com", "a private address (192.168.1.10)"],
    ["metadata.example.com", "a cloud metadata address (169.254.169.254)"],
    ["mapped.example.com", "a loopback address (::ffff:127.0.0.1)"],
  ])("refuses %s, which resolves to %s", async (host, what) => {
    const check = await assertPublicDestination(`https://${host}/`, {
      allowPrivate: false,
      lookup: dns.lookup,
    });
    expect(check).toEqual({
      ok: false,
      reason: "not-public",
      message: `endpoint URL resolves to ${what}; set ALLOW_PRIVATE_ENDPOINTS=true to allow it`,
    });
  });

  test.each([
    ["http://127.0.0.1:9000/", "a loopback address (127.0.0.1)"],
    ["http://[::1]/", "a loopback address (::1)"],
    ["http://[::ffff:10.0.0.1]/", "a private address (::ffff:a00:1)"],
    ["http://169.254.169.254/latest/meta-data/", "a cloud metadata address (169.254.169.254)"],
    ["http://0.0.0.0/", "an unspecified address (0.0.0.0)"],
    // URL parsing normalises these spellings of 127.0.0.1 before we look at them.
    ["http://2130706433/", "a loopback address (127.0.0.1)"],
    ["http://0x7f.1/", "a loopback address (127.0.0.1)"],
  ])("refuses the literal address in %s", async (url, what) => {
    const { lookup, asked } = fakeLookup({});
    const check = await assertPublicDestination(url, { allowPrivate: false, lookup });
    expect(check).toMatchObject({ ok: false, reason: "not-public" });
    if (!check.ok)
      expect(check.message).toBe(
        `endpoint URL points to ${what}; set ALLOW_PRIVATE_ENDPOINTS=true to allow it`,
      );
    expect(asked).toEqual([]);
  });

  test("accepts a public literal address without a lookup", async () => {
    const { lookup, asked } = fakeLookup({});
    const check = await assertPublicDestination("https://8.8.8.8/", {
      allowPrivate: false,
      lookup,
    });
    expect(check).toEqual({ ok: true, addresses: ["8.8.8.8"] });
    expect(asked).toEqual([]);
  });

  test.each([["http://localhost:9000/"], ["http://LOCALHOST./"], ["http://api.localhost/"]])(
    "refuses %s without asking DNS",
    async (url) => {
      const { lookup, asked } = fakeLookup({});
      const check = await assertPublicDestination(url, { allowPrivate: false, lookup });
      expect(check).toEqual({
        ok: false,
        reason: "not-public",
        message: "endpoint URL points to localhost; set ALLOW_PRIVATE_ENDPOINTS=true to allow it",
      });
      expect(asked).toEqual([]);
    },
  );

  test("looks up the host without its trailing dot", async () => {
    const check = await assertPublicDestination("https://hooks.example.com./", {
      allowPrivate: false,
      lookup: dns.lookup,
    });
    expect(check.ok).toBe(true);
  });

  test("reports a host that does not resolve", async () => {
    const check = await assertPublicDestination("https://nowhere.example.com/", {
      allowPrivate: false,
      lookup: dns.lookup,
    });
    expect(check).toEqual({
      ok: false,
      reason: "unresolvable",
      message: "endpoint URL host does not resolve (nowhere.example.com: ENOTFOUND)",
    });
  });

  test("reports a host that resolves to nothing", async () => {
    const check = await assertPublicDestination("https://empty.example.com/", {
      allowPrivate: false,
      lookup: dns.lookup,
    });
    expect(check).toMatchObject({ ok: false, reason: "unresolvable" });
  });

  test("allows private destinations when allowPrivate is set, without a lookup", async () => {
    const { lookup, asked } = fakeLookup({});
    for (const url of [
      "http://127.0.0.1:9000/",
      "http://localhost/",
      "http://internal.example.com/",
    ]) {
      expect(await assertPublicDestination(url, { allowPrivate: true, lookup })).toEqual({
        ok: true,
        addresses: [],
      });
    }
    expect(asked).toEqual([]);
  });

  test("refuses an invalid URL even when allowPrivate is set", async () => {
    const check = await assertPublicDestination("ftp://127.0.0.1/", { allowPrivate: true });
    expect(check).toEqual({
      ok: false,
      reason: "invalid-url",
      message: "endpoint URL must use http or https, got ftp",
    });
  });
});
