/**
 * With ADMIN_TOKEN set, every management route (taken from the OpenAPI document, so a
 * new route is covered without editing this file) and every dashboard page refuses
 * requests without credentials, with wrong ones, and with the other surface's form; the
 * ingestion and operations routes never accept the admin token in place of their own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/app.ts";

const TOKEN = "walk-the-routes-token";
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;

/** Routes that authenticate callers in their own way, or not at all. */
const OPEN = new Set([
  "get /healthz",
  "get /readyz",
  "get /metrics",
  "post /webhooks/github",
  "post /webhooks/event",
  "post /notifications",
  "get /webhook/{id}",
  "post /webhook/{id}",
  // A source's own verifier decides (test/integration/sources.test.ts).
  "post /in/{name}",
]);

const DASHBOARD_PAGES = [
  "/dashboard",
  "/dashboard/changes",
  "/dashboard/endpoints",
  "/dashboard/failures",
  "/dashboard/relay",
  "/dashboard/hooks",
  "/dashboard/events/some-id",
  "/dashboard/entities/some-id",
  "/dashboard/deliveries/some-id",
  "/dashboard/stream",
];

/** Routes answered but left out of the OpenAPI document: walked all the same. */
const UNADVERTISED = [{ method: "GET", path: "/aggrigates/some-id" }];

describe("ADMIN_TOKEN walks every route", () => {
  let app: TestApp;
  let managementRoutes: { method: string; path: string }[] = [];
  let advertised: string[] = [];

  beforeAll(async () => {
    app = await startTestApp("sqlite", {
      settings: {
        ADMIN_TOKEN: TOKEN,
        GITHUB_WEBHOOK_SECRET: "gh-secret",
        EVENTS_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        PUBSUB_TOKEN: "pubsub-token",
      },
    });
    const document = (await (await app.request("/openapi/json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    advertised = Object.keys(document.paths);
    managementRoutes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => !OPEN.has(`${method} ${path}`))
        .map((method) => ({
          method: method.toUpperCase(),
          path: path.replace(/\{[^}]+\}/g, "some-id"),
        })),
    );
    managementRoutes.push(...UNADVERTISED);
  });
  afterAll(() => app.stop());

  const call = (method: string, path: string, authorization?: string) =>
    app.request(path, {
      method,
      headers: {
        "content-type": "application/json",
        ...(authorization ? { authorization } : {}),
      },
      ...(method === "GET" || method === "DELETE" ? {} : { body: "{}" }),
    });

  test("the OpenAPI document lists the management routes to walk", () => {
    expect(managementRoutes.length).toBeGreaterThanOrEqual(15);
    expect(managementRoutes).toContainEqual({ method: "POST", path: "/endpoints" });
  });

  test("the misspelt /aggrigates alias is answered but not advertised", () => {
    expect(advertised).toContain("/aggregates/{entity_id}");
    expect(advertised.filter((path) => path.startsWith("/aggrigates"))).toEqual([]);
  });

  test("every management route refuses no credentials, a wrong token, and Basic auth with the right one", async () => {
    for (const { method, path } of managementRoutes) {
      for (const authorization of [
        undefined,
        "Bearer wrong-token",
        basic(TOKEN),
        `Bearer ${TOKEN}x`,
      ]) {
        const response = await call(method, path, authorization);
        expect({ method, path, authorization, status: response.status }).toEqual({
          method,
          path,
          authorization,
          status: 401,
        });
        expect((await response.json()).error).toContain("admin token");
      }
    }
  });

  test("every management route lets the right Bearer token through (whatever it then answers)", async () => {
    for (const { method, path } of managementRoutes) {
      const response = await call(method, path, `Bearer ${TOKEN}`);
      expect({ method, path, status: response.status === 401 ? 401 : "not 401" }).toEqual({
        method,
        path,
        status: "not 401",
      });
    }
  });

  test("every dashboard page asks for Basic auth and takes only the right password", async () => {
    for (const page of DASHBOARD_PAGES) {
      for (const authorization of [undefined, basic("wrong"), `Bearer ${TOKEN}`]) {
        const response = await call("GET", page, authorization);
        expect({ page, authorization, status: response.status }).toEqual({
          page,
          authorization,
          status: 401,
        });
        expect(response.headers.get("www-authenticate")).toContain("Basic");
      }
      const allowed = await call("GET", page, basic(TOKEN));
      expect({ page, status: allowed.status === 401 ? 401 : "not 401" }).toEqual({
        page,
        status: "not 401",
      });
    }
  });

  test("ingestion routes do not take the admin token in place of their own signature or token", async () => {
    for (const path of ["/webhooks/github", "/webhooks/event", "/notifications"]) {
      for (const authorization of [`Bearer ${TOKEN}`, basic(TOKEN)]) {
        const response = await app.request(path, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": "push", authorization },
          body: JSON.stringify({ id: "e", type: "t", project: "p" }),
        });
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
      }
    }
  });
});
