/**
 * What a web page on another site, a DNS-rebinding page, or a cache between hookyard and
 * its admin could do to an exposed hookyard, tried as they would: each must be refused,
 * with ADMIN_TOKEN or without, and leave nothing stored. Routes are taken from the
 * OpenAPI document, so a new route is covered without editing this file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { OPEN_ACCESS_MESSAGE } from "../../src/dashboard/site-notice.tsx";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const TOKEN = "safe-defaults-token";
const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}` };
const PUBLIC_URL = "https://8.8.4.4/steal";

/** What a page on evil.example makes the browser send with its form or `fetch`. */
const CROSS_SITE = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };

interface Route {
  readonly method: string;
  readonly path: string;
}

async function routesOf(app: TestApp): Promise<Route[]> {
  const document = (await (await app.request("/openapi/json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, "some-id"),
    })),
  );
}

const isStateChanging = (route: Route) => !["GET", "HEAD", "OPTIONS"].includes(route.method);

async function storedCounts(app: TestApp) {
  const events = await app.store.events.list({}, { limit: 500 });
  return {
    events: events.items.length,
    endpoints: (await app.store.endpoints.list()).length,
    hooks: (await app.store.hooks.list(500)).length,
  };
}

for (const dialect of dialects) {
  describe(`an open hookyard, no ADMIN_TOKEN (${dialect})`, () => {
    let app: TestApp;
    let routes: Route[];
    beforeAll(async () => {
      app = await startTestApp(dialect);
      routes = await routesOf(app);
    });
    afterAll(() => app.stop());

    test("the attack: a cross-site form registering an endpoint is refused with 403, nothing stored", async () => {
      const response = await app.request("/endpoints", {
        method: "POST",
        headers: { ...CROSS_SITE, "content-type": "application/x-www-form-urlencoded" },
        body: `url=${encodeURIComponent(PUBLIC_URL)}`,
      });
      expect(response.status).toBe(403);
      const body = await response.json();
      expect(body.error).toContain("another site");
      expect(JSON.stringify(body)).not.toContain("whsec_");
      expect(await app.store.endpoints.list()).toEqual([]);
    });

    test("every state-changing route refuses a request the browser marks cross-site, or from a foreign or null Origin", async () => {
      const before = await storedCounts(app);
      const refusedHeaders: Record<string, string>[] = [
        CROSS_SITE,
        { "sec-fetch-site": "same-site" },
        { origin: "https://evil.example" },
        { origin: "null" },
        // A name that merely starts like this one is another site.
        { origin: `http://${new URL(app.url).host}.evil.example` },
      ];
      const changing = routes.filter(isStateChanging);
      expect(changing.length).toBeGreaterThan(8);
      for (const route of changing) {
        for (const headers of refusedHeaders) {
          const response = await app.request(route.path, {
            method: route.method,
            headers: { ...headers, "content-type": "application/json" },
            body: route.method === "DELETE" ? undefined : JSON.stringify({ url: PUBLIC_URL }),
          });
          expect({ route, headers, status: response.status }).toEqual({
            route,
            headers,
            status: 403,
          });
          expect(response.headers.get("content-type")).toBe("application/json");
        }
      }
      expect(await storedCounts(app)).toEqual(before);
    });

    test("a same-origin request, or one with no browser headers (a server, curl), is let through", async () => {
      const sameOrigin = await postJson(
        app,
        "/trigger/site.check",
        {},
        { origin: app.url, "sec-fetch-site": "same-origin" },
      );
      expect(sameOrigin.status).toBe(202);
      const server = await postJson(app, "/trigger/site.check", {});
      expect(server.status).toBe(202);
    });

    test("management routes take JSON only: a form or text body is a 415, nothing stored", async () => {
      const before = await storedCounts(app);
      const bodies = [
        ["application/x-www-form-urlencoded", `url=${encodeURIComponent(PUBLIC_URL)}`],
        [
          "multipart/form-data; boundary=x",
          `--x\r\nContent-Disposition: form-data; name="url"\r\n\r\n${PUBLIC_URL}\r\n--x--\r\n`,
        ],
        ["text/plain", JSON.stringify({ url: PUBLIC_URL })],
        ["application/jsonx", JSON.stringify({ url: PUBLIC_URL })],
        [null, JSON.stringify({ url: PUBLIC_URL })],
      ] as const;
      const withBodies = [
        { method: "POST", path: "/endpoints" },
        { method: "PATCH", path: "/endpoints/some-id" },
        { method: "POST", path: "/trigger/site.check" },
        { method: "POST", path: "/deliveries/some-id/retry" },
        { method: "POST", path: "/relay/messages/some-id/retry" },
      ];
      for (const route of withBodies) {
        for (const [type, body] of bodies) {
          const response = await app.request(route.path, {
            method: route.method,
            headers: type === null ? {} : { "content-type": type },
            // A Blob without a type: fetch then sends no Content-Type at all.
            body: type === null ? new Blob([body]) : body,
          });
          expect({ route, type, status: response.status }).toEqual({ route, type, status: 415 });
          expect((await response.json()).error).toContain("Content-Type: application/json");
        }
      }
      expect(await storedCounts(app)).toEqual(before);
    });

    test("the dashboard shows on every page that anyone who can reach it can manage it", async () => {
      for (const path of ["/dashboard", "/dashboard/endpoints", "/dashboard/no-such-page"]) {
        const page = await (await app.request(path)).text();
        expect(page).toContain(OPEN_ACCESS_MESSAGE);
        expect(page.indexOf(OPEN_ACCESS_MESSAGE)).toBeLessThan(page.indexOf("<main"));
      }
    });

    test("every JSON answer says no-store and nosniff, errors and secrets included", async () => {
      const created = await postJson(app, "/endpoints", { url: PUBLIC_URL });
      const { id } = await created.json();
      const answers = [
        created,
        await app.request(`/endpoints/${id}`),
        await app.request(`/endpoints/${id}/rotate-secret`, { method: "POST" }),
        await app.request("/endpoints"),
        await app.request("/endpoints/no-such-id"),
        await postJson(app, "/endpoints", { url: "ftp://x" }),
        await app.request("/healthz"),
        await app.request("/no-such-route"),
      ];
      for (const route of routes.filter((r) => r.method === "GET")) {
        answers.push(await app.request(route.path));
      }
      let json = 0;
      for (const answer of answers) {
        if (!answer.headers.get("content-type")?.startsWith("application/json")) continue;
        json += 1;
        expect({ url: answer.url, cache: answer.headers.get("cache-control") }).toEqual({
          url: answer.url,
          cache: "no-store",
        });
        expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      }
      expect(json).toBeGreaterThan(12);
      await app.store.endpoints.delete(id);
    });
  });

  describe(`a hookyard with ADMIN_TOKEN (${dialect})`, () => {
    let app: TestApp;
    let routes: Route[];
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN: TOKEN } });
      routes = await routesOf(app);
    });
    afterAll(() => app.stop());

    test("a cross-site request is refused even with the right token", async () => {
      const before = await storedCounts(app);
      for (const route of routes.filter(isStateChanging)) {
        const response = await app.request(route.path, {
          method: route.method,
          headers: { ...CROSS_SITE, ...bearer, "content-type": "application/json" },
          body: route.method === "DELETE" ? undefined : JSON.stringify({ url: PUBLIC_URL }),
        });
        expect({ route, status: response.status }).toEqual({ route, status: 403 });
      }
      expect(await storedCounts(app)).toEqual(before);
    });

    test("the dashboard shows no open-access banner", async () => {
      const page = await (await app.request("/dashboard", { headers: basic })).text();
      expect(page).toContain("<main");
      expect(page).not.toContain(OPEN_ACCESS_MESSAGE);
    });
  });
}

/** An address of this machine's that is not loopback, where it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === "IPv4" && !address.internal)?.address;

describe("where an open hookyard listens", () => {
  test.skipIf(outsideAddress === undefined)(
    "with no ADMIN_TOKEN and no HOST, on loopback only: another interface of the machine is refused",
    async () => {
      const app = await startTestApp("sqlite", { settings: { HOST: "" } });
      try {
        const port = new URL(app.url).port;
        expect((await app.request("/healthz")).status).toBe(200);
        const outside = await fetch(`http://${outsideAddress}:${port}/healthz`).then(
          (response) => response.status,
          (error: Error & { code?: string }) => error.code ?? error.message,
        );
        expect(outside).toBe("ECONNREFUSED");
      } finally {
        await app.stop();
      }
    },
  );
});

describe("Host names (DNS rebinding)", () => {
  const hostRequest = (app: TestApp, path: string, host: string, init: RequestInit = {}) =>
    app.request(path, { ...init, headers: { ...init.headers, host } });

  test("with no ADMIN_TOKEN and no HOST, only loopback names are answered; probes always are", async () => {
    // HOST unset (an empty variable counts as unset): hookyard picks 127.0.0.1 itself.
    const app = await startTestApp("sqlite", { settings: { HOST: "" } });
    try {
      expect(app.ctx.config.host).toBe("127.0.0.1");
      // The rebinding page: same-origin in the browser's eyes, only Host gives it away.
      const rebound = await hostRequest(app, "/endpoints", "rebind.evil.example:8000", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "http://rebind.evil.example:8000",
          "sec-fetch-site": "same-origin",
        },
        body: JSON.stringify({ url: PUBLIC_URL }),
      });
      expect(rebound.status).toBe(421);
      expect((await rebound.json()).details[0].hint).toContain("ALLOWED_HOSTS");
      expect(await app.store.endpoints.list()).toEqual([]);
      expect((await hostRequest(app, "/dashboard", "rebind.evil.example")).status).toBe(421);

      for (const host of [
        "localhost:8000",
        "LOCALHOST",
        "app.localhost",
        "127.0.0.1",
        "[::1]:8000",
      ]) {
        expect({ host, status: (await hostRequest(app, "/endpoints", host)).status }).toEqual({
          host,
          status: 200,
        });
      }
      expect((await hostRequest(app, "/healthz", "10.1.2.3:8000")).status).toBe(200);
      expect((await hostRequest(app, "/readyz", "10.1.2.3:8000")).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  test("ALLOWED_HOSTS answers its names and refuses others with 421, token or not", async () => {
    const app = await startTestApp("sqlite", {
      settings: { ADMIN_TOKEN: TOKEN, ALLOWED_HOSTS: "hooks.example.com, *.internal.example" },
    });
    try {
      const get = (host: string) => hostRequest(app, "/endpoints", host, { headers: bearer });
      expect((await get("hooks.example.com")).status).toBe(200);
      expect((await get("Hooks.Example.COM.:443")).status).toBe(200);
      expect((await get("a.internal.example")).status).toBe(200);
      expect((await get("internal.example")).status).toBe(421);
      expect((await get("hooks.example.com.evil.example")).status).toBe(421);
      expect((await get("127.0.0.1")).status).toBe(421);
      const refused = await get("evil.example");
      expect(refused.headers.get("content-type")).toBe("application/json");
      expect((await refused.json()).error).toContain('"evil.example"');
    } finally {
      await app.stop();
    }
  });
});
