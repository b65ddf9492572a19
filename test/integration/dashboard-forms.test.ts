import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { follow, openSession, postForm, type Session } from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { parseHtml } from "../unit/dashboard/parse-html.ts";

const ADMIN_TOKEN = "s3cret-admin-token";
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;

for (const dialect of dialects) {
  describe(`dashboard hooks forms (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    beforeAll(async () => {
      app = await startTestApp(dialect);
      session = await openSession(app, "/dashboard/hooks");
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const hookCount = async () => (await app.store.hooks.list(100)).length;

    test("registering with the cookie and token from the same origin redirects (303) back, and the hook exists", async () => {
      const response = await postForm(
        app,
        "/dashboard/hooks",
        { csrf_token: session.token, userid: "alice" },
        sameOrigin(),
      );
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard/hooks");
      const [hook] = (await app.store.hooks.list(100)).filter((h) => h.userid === "alice");
      expect(hook).toBeDefined();

      const next = await follow(app, response, session);
      expect(next.parsed.text).toContain("Hook registered for alice.");
      expect(next.parsed.text).toContain(`${app.url}/webhook/${hook?.id}`);
      // Said once: the same page loaded again (a reload, a bookmark) says nothing about it.
      const again = await app.request("/dashboard/hooks", { headers: { cookie: session.cookie } });
      expect((await parseHtml(await again.text())).text).not.toContain("Hook registered");
    });

    const withToken = (): Record<string, string> => ({
      userid: "mallory",
      csrf_token: session.token,
    });
    test.each([
      ["without a CSRF token", () => ({ userid: "mallory" }), {}],
      [
        "with a token that is not the cookie's",
        () => ({ ...withToken(), csrf_token: "x".repeat(43) }),
        {},
      ],
      ["cross-site (Sec-Fetch-Site)", withToken, { "sec-fetch-site": "cross-site" }],
      ["from a foreign Origin", withToken, { origin: "https://evil.example" }],
    ])("a post %s is refused with 403 and registers nothing", async (_name, fields, headers) => {
      const before = await hookCount();
      const response = await postForm(app, "/dashboard/hooks", fields(), {
        ...sameOrigin(),
        ...headers,
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(await hookCount()).toBe(before);
    });

    test("an empty user id is refused with 422 and the form again", async () => {
      const response = await postForm(
        app,
        "/dashboard/hooks",
        { csrf_token: session.token, userid: "   " },
        sameOrigin(),
      );
      expect(response.status).toBe(422);
      expect((await parseHtml(await response.text())).text).toContain("Enter a user id.");
    });

    test("delete needs the token too, then removes the hook and redirects back", async () => {
      const hook = await app.store.hooks.create("bob", new Date());
      const path = `/dashboard/hooks/${hook.id}/delete`;
      expect((await postForm(app, path, {}, sameOrigin())).status).toBe(403);
      const crossSite = await postForm(
        app,
        path,
        { csrf_token: session.token },
        { ...sameOrigin(), "sec-fetch-site": "cross-site" },
      );
      expect(crossSite.status).toBe(403);
      expect(await app.store.hooks.get(hook.id)).toBeDefined();

      const response = await postForm(app, path, { csrf_token: session.token }, sameOrigin());
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard/hooks");
      expect((await follow(app, response, session)).parsed.text).toContain("Hook deleted.");
      expect(await app.store.hooks.get(hook.id)).toBeUndefined();
    });

    test("deleting an unknown hook answers 404", async () => {
      const response = await postForm(
        app,
        "/dashboard/hooks/00000000-0000-4000-8000-000000000000/delete",
        { csrf_token: session.token },
        sameOrigin(),
      );
      expect(response.status).toBe(404);
    });

    test("the list shows each hook's trigger URL with a copy button and its trigger count", async () => {
      const hook = await app.store.hooks.create("carol", new Date());
      expect((await app.request(`/webhook/${hook.id}`)).status).toBe(201);
      const html = await (await app.request("/dashboard/hooks")).text();
      const parsed = await parseHtml(html);
      const url = `${app.url}/webhook/${hook.id}`;
      const codeId = html.match(new RegExp(`<code id="([^"]+)">${url}</code>`))?.[1];
      const copy = parsed.elements.find(
        (e) => e.tag === "button" && e.attributes["data-copy-target"] === codeId,
      );
      expect(codeId).toBeDefined();
      expect(copy).toBeDefined();
      expect(parsed.text).toContain(`${app.url}/webhook/${hook.id}`);
      const countLink = parsed.elements.find(
        (e) => e.tag === "a" && e.attributes.href === `/dashboard/entities/${hook.id}`,
      );
      expect(countLink).toBeDefined();
    });
  });

  describe(`dashboard with ADMIN_TOKEN (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN } });
    });
    afterAll(() => app.stop());

    test.each([
      ["no credentials", {}],
      ["a wrong password", { authorization: basic("wrong") }],
      [
        "the token as a Bearer (the API's form, not the dashboard's)",
        { authorization: `Bearer ${ADMIN_TOKEN}` },
      ],
    ])("%s gets 401 with a Basic challenge", async (_name, headers) => {
      for (const path of ["/dashboard", "/dashboard/hooks"]) {
        const response = await app.request(path, { headers });
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
        expect(response.headers.get("www-authenticate")).toStartWith("Basic ");
      }
    });

    test("the stylesheet and script need no password, so the login page is styled", async () => {
      for (const path of ["/dashboard/assets/style.css", "/dashboard/assets/app.js"]) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
      expect((await app.request("/dashboard/assets/nothing.css")).status).toBe(404);
    });

    test.each([["/dashboard/assets/%2e%2e/hooks"], ["/dashboard/assets/..%2fhooks"]])(
      "%s, spelt like an asset, reaches no page without the password",
      async (path) => {
        const response = await app.request(path);
        expect([401, 404]).toContain(response.status);
        expect(await response.text()).not.toContain("Register hook");
      },
    );

    test("the right Basic password opens every page", async () => {
      const headers = { authorization: basic(ADMIN_TOKEN) };
      for (const path of ["/dashboard", "/dashboard/changes", "/dashboard/hooks"]) {
        const response = await app.request(path, { headers });
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    });

    test("a form post with credentials still needs the CSRF token", async () => {
      const authorization = basic(ADMIN_TOKEN);
      const session = await openSession(app, "/dashboard/hooks", { authorization });
      const headers = { authorization, cookie: session.cookie, "sec-fetch-site": "same-origin" };
      const refused = await postForm(app, "/dashboard/hooks", { userid: "eve" }, headers);
      expect(refused.status).toBe(403);
      const accepted = await postForm(
        app,
        "/dashboard/hooks",
        { userid: "eve", csrf_token: session.token },
        headers,
      );
      expect(accepted.status).toBe(303);
    });
  });
}
