/**
 * When a dashboard request fails, a person gets a page in the dashboard's frame, never
 * the API's JSON: the database gone in the middle of a form (the input kept, ready to
 * send again), a page that cannot be read, and a login prompt that was cancelled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { OPEN_ACCESS_MESSAGE } from "../../src/dashboard/site-notice.tsx";
import { startTestApp, type TestApp } from "../support/app.ts";
import { openSession, page, postForm, type Session } from "../support/dashboard-session.ts";
import {
  createTestDatabase,
  dialects,
  postgresUrl,
  type TestDatabase,
} from "../support/databases.ts";
import { type Outage, openStoreWithOutage } from "../support/store-outage.ts";
import { startTcpProxy, type TcpProxy, targetOf, viaProxy } from "../support/tcp-proxy.ts";
import { type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

const ADMIN_TOKEN = "s3cret-admin-token";
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;

/** The fields of the page's form posting to `action`, as a browser would submit them. */
function formFields(parsed: ParsedHtml, action: string): Record<string, string> {
  const start = parsed.elements.findIndex(
    (e) => e.tag === "form" && e.attributes.action === action,
  );
  expect(start).toBeGreaterThanOrEqual(0);
  const fields: Record<string, string> = {};
  for (const element of parsed.elements.slice(start + 1)) {
    if (element.tag === "form") break;
    const { name, value } = element.attributes;
    if (element.tag === "input" && name !== undefined) fields[name] = value ?? "";
  }
  return fields;
}

function expectDashboardPage(response: Response, parsed: ParsedHtml) {
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
  // The frame: navigation to every section, so the user is not stranded.
  const nav = parsed.elements.filter((e) => e.tag === "a").map((e) => e.attributes.href);
  expect(nav).toContain("/dashboard/endpoints");
  expect(nav).toContain("/dashboard/hooks");
}

for (const dialect of dialects) {
  describe(`dashboard pages while the database is down (${dialect})`, () => {
    const outage: Outage = { down: false };
    let app: TestApp;
    let session: Session;
    beforeAll(async () => {
      app = await startTestApp(dialect, {
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true" },
        openStore: openStoreWithOutage(outage),
      });
      session = await openSession(app, "/dashboard/endpoints");
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const typed = {
      url: "http://127.0.0.1:9/outage",
      description: "Kept & <b>typed</b>",
      event_types: "github.*, task.update",
    };

    test("a form sent while it is down answers a 503 page that keeps the input, and sending it again once it is back works", async () => {
      outage.down = true;
      let response: Response;
      try {
        response = await postForm(
          app,
          "/dashboard/endpoints",
          { csrf_token: session.token, ...typed },
          sameOrigin(),
        );
      } finally {
        outage.down = false;
      }
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      const parsed = await parseHtml(await response.text());
      expectDashboardPage(response, parsed);
      expect(parsed.text).toContain("The database is unavailable; retry later.");
      expect(parsed.text).toContain(OPEN_ACCESS_MESSAGE);
      expect(parsed.tags).not.toContain("b");
      const retry = formFields(parsed, "/dashboard/endpoints");
      expect(retry).toEqual({ csrf_token: session.token, ...typed });
      const labels = parsed.elements.filter((e) => e.tag === "label").map((e) => e.attributes.for);
      expect(labels).toEqual(expect.arrayContaining(["retry-url", "retry-event_types"]));
      expect(await app.store.endpoints.list()).toEqual([]);

      const again = await postForm(app, "/dashboard/endpoints", retry, sameOrigin());
      expect(again.status).toBe(303);
      const [created] = await app.store.endpoints.list();
      expect(created).toMatchObject({
        url: typed.url,
        description: typed.description,
        eventTypes: ["github.*", "task.update"],
      });
    });

    test("fields a person did not type travel hidden: a Disable button sent again still disables", async () => {
      const endpoint = await app.store.endpoints.create(
        {
          url: "http://127.0.0.1:9/toggle",
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["*"],
          enabled: true,
        },
        new Date(),
      );
      const action = `/dashboard/endpoints/${endpoint.id}/toggle`;
      outage.down = true;
      const response = await postForm(
        app,
        action,
        { csrf_token: session.token, enabled: "false" },
        sameOrigin(),
      ).finally(() => {
        outage.down = false;
      });
      expect(response.status).toBe(503);
      const parsed = await parseHtml(await response.text());
      const hidden = parsed.elements.find((e) => e.attributes.name === "enabled");
      expect(hidden?.attributes).toMatchObject({ type: "hidden", value: "false" });
      const again = await postForm(app, action, formFields(parsed, action), sameOrigin());
      expect(again.status).toBe(303);
      expect((await app.store.endpoints.get(endpoint.id))?.enabled).toBe(false);
    });

    test("a page that cannot be read answers a 503 page with a link that tries it again", async () => {
      outage.down = true;
      const { response, parsed } = await page(app, "/dashboard/endpoints?x=1").finally(() => {
        outage.down = false;
      });
      expect(response.status).toBe(503);
      expectDashboardPage(response, parsed);
      const again = parsed.elements.find((e) => e.tag === "a" && e.attributes.class === "btn");
      expect(again?.attributes.href).toBe("/dashboard/endpoints?x=1");
    });

    test("the API still answers JSON while the database is down", async () => {
      outage.down = true;
      const response = await app.request("/endpoints").finally(() => {
        outage.down = false;
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: expect.any(String) });
    });

    test("a post to a dashboard address that does not exist answers a 404 page", async () => {
      const response = await postForm(
        app,
        "/dashboard/endpoints/x/nothing-here",
        { csrf_token: session.token },
        sameOrigin(),
      );
      expect(response.status).toBe(404);
      expectDashboardPage(response, await parseHtml(await response.text()));
    });
  });

  describe(`dashboard login (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN } });
    });
    afterAll(() => app.stop());

    test.each([
      ["no credentials (the prompt was cancelled)", {}],
      ["a wrong password", { authorization: basic("wrong") }],
    ])("%s gets a 401 page that asks again and shows no data", async (_name, headers) => {
      await app.store.hooks.create("secret-user", new Date());
      for (const path of ["/dashboard", "/dashboard/hooks"]) {
        const response = await app.request(path, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe(
          'Basic realm="hookyard", charset="UTF-8"',
        );
        const parsed = await parseHtml(await response.text());
        expectDashboardPage(response, parsed);
        expect(parsed.text).toContain("ADMIN_TOKEN as the password");
        expect(parsed.text).not.toContain("secret-user");
        const login = parsed.elements.find((e) => e.tag === "a" && e.attributes.class === "btn");
        expect(login?.attributes.href).toBe(path);
      }
    });

    test("the API's 401 stays JSON", async () => {
      const response = await app.request("/endpoints");
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/json");
    });
  });
}

describe.skipIf(!postgresUrl)("a dashboard form while PostgreSQL itself is unreachable", () => {
  let proxy: TcpProxy;
  let database: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    if (!postgresUrl) return;
    database = await createTestDatabase("postgres");
    if (database.target.kind !== "postgres") throw new Error("a PostgreSQL database is needed");
    proxy = await startTcpProxy(targetOf(postgresUrl));
    app = await startTestApp("postgres", {
      database: {
        ...database,
        target: { kind: "postgres", url: viaProxy(database.target.url, proxy) },
      },
      settings: { ALLOW_PRIVATE_ENDPOINTS: "true" },
    });
  });
  // Closing a pool that lived through an outage takes most of postgres.js's end() timeout.
  afterAll(async () => {
    await proxy?.restore();
    await app?.stop();
    await proxy?.close();
    await database?.drop();
  }, 30_000);

  test("answers the 503 page with the input kept, then the same form goes through once it is back", async () => {
    const session = await openSession(app, "/dashboard/hooks");
    const headers = { cookie: session.cookie, "sec-fetch-site": "same-origin" };
    await proxy.cut();
    let response: Response;
    try {
      response = await postForm(
        app,
        "/dashboard/hooks",
        { csrf_token: session.token, userid: "typed-during-outage" },
        headers,
      );
    } finally {
      await proxy.restore();
    }
    expect(response.status).toBe(503);
    const parsed = await parseHtml(await response.text());
    expectDashboardPage(response, parsed);
    const retry = formFields(parsed, "/dashboard/hooks");
    expect(retry).toEqual({ csrf_token: session.token, userid: "typed-during-outage" });

    const again = await postForm(app, "/dashboard/hooks", retry, headers);
    expect(again.status).toBe(303);
    const hooks = await app.store.hooks.list(10);
    expect(hooks.map((hook) => hook.userid)).toEqual(["typed-during-outage"]);
  });
});
