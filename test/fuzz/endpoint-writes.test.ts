/**
 * One validation decides an endpoint URL: whatever string is sent, either the answer is
 * 2xx and the endpoint is stored, listed and read back with the URL normalised, or the
 * answer is a 422 and nothing was written. And GET /endpoints always answers 200.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { normaliseEndpointUrl } from "../../src/delivery/endpoints-service.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { FUZZ_SETTINGS, nastyString, PROPERTY_TIMEOUT_MS } from "./hostile.ts";

/** Strings that look like URLs, broken in the places parsers and format checkers disagree. */
const urlLike = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom("https://", "http://", "HTTPS://", "ftp://", "https:", "//", ""),
          fc.constantFrom(
            "8.8.8.8",
            "93.184.215.14:8443",
            "Example.COM",
            "[2001:db8::1]",
            "xn--bcher-kva.example",
            "bücher.example",
            "a b",
            "",
          ),
          fc.constantFrom(
            "",
            "/",
            "/x?a=<b>",
            "/x y",
            '/"q"',
            "/%zz",
            "/#frag",
            "/\\back",
            "/{}|^`",
          ),
          nastyString(),
        )
        .map(([scheme, host, path, tail]) => `${scheme}${host}${path}${tail}`),
    },
    { weight: 1, arbitrary: nastyString() },
  );

for (const dialect of dialects) {
  describe(`endpoint URLs: the answer and what is stored agree (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      // Private addresses allowed: no DNS lookups for made-up names; the SSRF check is
      // tested on its own.
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
    });
    afterAll(() => app.stop());
    afterEach(async () => {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
    });

    const storedUrls = async () => (await app.store.endpoints.list()).map((e) => e.url);
    const expectListable = async () => {
      const list = await app.request("/endpoints");
      expect(list.status).toBe(200);
      return (await list.json()).endpoints as { id: string; url: string }[];
    };

    test(
      "POST /endpoints: 201 with the normalised URL, listed and read back; or 422 and nothing stored",
      async () => {
        await fc.assert(
          fc.asyncProperty(urlLike(), async (url) => {
            const before = await storedUrls();
            const response = await postJson(app, "/endpoints", { url });
            const body = await response.json();
            if (response.status === 201) {
              expect(normaliseEndpointUrl(url)).toEqual({ ok: true, url: body.url });
              const read = await app.request(`/endpoints/${body.id}`);
              expect(read.status).toBe(200);
              expect((await read.json()).url).toBe(body.url);
              expect((await expectListable()).map((e) => e.id)).toContain(body.id);
              await app.store.endpoints.delete(body.id);
            } else {
              // Refused by the URL's checks, or with the body as a whole (a NUL or a lone
              // surrogate anywhere in it): either way a 422, and nothing written.
              expect({ url, status: response.status }).toEqual({ url, status: 422 });
              expect(await storedUrls()).toEqual(before);
              await expectListable();
            }
          }),
          FUZZ_SETTINGS,
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    test(
      "PATCH /endpoints/:id: 200 with the normalised URL stored, or 422 and the old URL kept",
      async () => {
        const created = await (
          await postJson(app, "/endpoints", { url: "https://8.8.8.8/" })
        ).json();
        await fc.assert(
          fc.asyncProperty(urlLike(), async (url) => {
            const before = await storedUrls();
            const response = await app.request(`/endpoints/${created.id}`, {
              method: "PATCH",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ url }),
            });
            const body = await response.json();
            if (response.status === 200) {
              expect(normaliseEndpointUrl(url)).toEqual({ ok: true, url: body.url });
              expect(await storedUrls()).toEqual([body.url]);
            } else {
              expect({ url, status: response.status }).toEqual({ url, status: 422 });
              expect(await storedUrls()).toEqual(before);
            }
            await expectListable();
          }),
          FUZZ_SETTINGS,
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });

  describe(`the URL a format checker refused after it was saved (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("https://8.8.8.8/x?a=<b> is accepted, stored encoded, and the list still answers", async () => {
      const response = await postJson(app, "/endpoints", { url: "https://8.8.8.8/x?a=<b>" });
      expect(response.status).toBe(201);
      const endpoint = await response.json();
      expect(endpoint.url).toBe("https://8.8.8.8/x?a=%3Cb%3E");
      const list = await app.request("/endpoints");
      expect(list.status).toBe(200);
      expect((await list.json()).endpoints.map((e: { url: string }) => e.url)).toEqual([
        "https://8.8.8.8/x?a=%3Cb%3E",
      ]);
      const patched = await app.request(`/endpoints/${endpoint.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "HTTPS://8.8.4.4:443/a b" }),
      });
      expect(patched.status).toBe(200);
      expect((await patched.json()).url).toBe("https://8.8.4.4/a%20b");
    });
  });
}
