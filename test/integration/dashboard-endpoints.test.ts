import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { DELIVERIES_PER_PAGE } from "../../src/dashboard/pages/endpoints.tsx";
import type { Endpoint } from "../../src/store/endpoints.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  follow,
  links,
  openSession,
  page,
  postForm,
  type Session,
  setCookies,
} from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { capturingLogger, type Receiver, startReceiver } from "../support/receiver.ts";
import { handlerAttributes, type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

const ADMIN_TOKEN = "s3cret-admin-token";
const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const XSS = `${SCRIPT}${BREAKOUT}`;
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;

const inputValue = (parsed: ParsedHtml, name: string) =>
  parsed.elements.find((e) => e.tag === "input" && e.attributes.name === name)?.attributes.value;

function expectNothingInjected(parsed: ParsedHtml) {
  const scripts = parsed.elements.filter((e) => e.tag === "script");
  expect(scripts.map((s) => s.attributes.src)).toEqual(["/dashboard/assets/app.js"]);
  expect(parsed.tags).not.toContain("img");
  expect(handlerAttributes(parsed)).toEqual([]);
}

for (const dialect of dialects) {
  describe(`dashboard endpoint pages (${dialect})`, () => {
    const logs = capturingLogger();
    let app: TestApp;
    let session: Session;
    /** Answers every delivery 500 with markup in the body, so attempts record it. */
    let receiver: Receiver;
    let cases = 0;

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        // A failed attempt waits an hour: the delivery stays put while the test looks at it.
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
        log: logs.log,
      });
      receiver = startReceiver(() => new Response(XSS, { status: 500 }));
      session = await openSession(app, "/dashboard/endpoints");
    });
    afterAll(async () => {
      await receiver.stop();
      await app.stop();
    });

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const endpointCount = async () => (await app.store.endpoints.list()).length;
    const seedEndpoint = (fields: Partial<Endpoint> = {}) =>
      app.store.endpoints.create(
        {
          url: "http://127.0.0.1:9/unused",
          description: "seeded",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["unused.*"],
          enabled: true,
          ...fields,
        },
        new Date(),
      );
    /** An event the receiver's endpoint gets, attempted once (answered 500). */
    const deliveredOnce = async (prefix: string) => {
      const endpoint = await seedEndpoint({ url: receiver.url, eventTypes: [`${prefix}.*`] });
      const result = await app.store.events.record({
        source: "trigger",
        type: `${prefix}.created`,
        occurredAt: new Date(),
        receivedAt: new Date(),
        payload: { n: 1 },
        headers: {},
      });
      if (result.status !== "stored") throw new Error("seed event was a duplicate");
      await app.store.wake("deliveries");
      // Filtered by endpoint too: endpoints for every type ("*") get the event as well.
      const { items } = await app.store.deliveries.list(
        { eventId: result.event.id, endpointId: endpoint.id },
        { limit: 1 },
      );
      const [delivery] = items;
      if (!delivery) throw new Error("no delivery was queued");
      await logs.waitForAttempts(1, delivery.id);
      return { endpoint, event: result.event, delivery };
    };

    test("with no endpoints, the list explains what an endpoint is and offers the form", async () => {
      const { response, parsed } = await page(app, "/dashboard/endpoints");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(parsed.text).toContain("No endpoints yet");
      const form = parsed.elements.find(
        (e) => e.tag === "form" && e.attributes.action === "/dashboard/endpoints",
      );
      expect(form?.attributes.method).toBe("post");
      const names = parsed.elements.filter((e) => e.tag === "input").map((e) => e.attributes.name);
      expect(names).toEqual(["csrf_token", "url", "description", "event_types"]);
    });

    test("creating through the form redirects (303) to the endpoint's page, which shows its secret", async () => {
      const response = await postForm(
        app,
        "/dashboard/endpoints",
        {
          csrf_token: session.token,
          url: " http://127.0.0.1:9/created ",
          description: "Billing receiver",
          event_types: "github.*, task.update",
        },
        sameOrigin(),
      );
      expect(response.status).toBe(303);
      const location = response.headers.get("location") ?? "";
      const id = location.match(/^\/dashboard\/endpoints\/([^?]+)$/)?.[1];
      expect(id).toBeDefined();
      const endpoint = await app.store.endpoints.get(decodeURIComponent(id ?? ""));
      expect(endpoint).toMatchObject({
        url: "http://127.0.0.1:9/created",
        description: "Billing receiver",
        eventTypes: ["github.*", "task.update"],
        enabled: true,
      });
      expect(endpoint?.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

      const { response: shown, html, parsed } = await follow(app, response, session);
      expect(shown.status).toBe(200);
      expect(parsed.text).toContain("Endpoint created.");
      // Masked until revealed; Reveal and Copy both name the element that holds it.
      const secretId = html.match(
        new RegExp(
          `<code id="([^"]+)" class="secret-value" hidden>${endpoint?.secret.replaceAll("+", "\\+")}</code>`,
        ),
      )?.[1];
      expect(secretId).toBeDefined();
      const button = (attribute: string) =>
        parsed.elements.find((e) => e.tag === "button" && e.attributes[attribute] === secretId);
      expect(button("data-copy-target")).toBeDefined();
      expect(button("data-reveal-target")?.attributes["aria-controls"]).toBe(secretId);
      expect(parsed.text).toContain("whsec_••••");
    });

    test("without event types the endpoint receives every type, as with the API", async () => {
      const response = await postForm(
        app,
        "/dashboard/endpoints",
        { csrf_token: session.token, url: "http://127.0.0.1:9/all", event_types: " , " },
        sameOrigin(),
      );
      expect(response.status).toBe(303);
      const id = decodeURIComponent(response.headers.get("location")?.split(/[/?]/)[3] ?? "");
      expect((await app.store.endpoints.get(id))?.eventTypes).toEqual(["*"]);
    });

    test.each([
      ["a URL that is not http(s)", { url: "ftp://example.com/x" }, "must use http or https"],
      [
        "a URL with credentials",
        { url: "http://user:pw@127.0.0.1/x" },
        "must not contain credentials",
      ],
      [
        "an event type with a space",
        { url: "http://127.0.0.1/x", event_types: "task update" },
        "must not contain whitespace",
      ],
      [
        "a wildcard in the middle",
        { url: "http://127.0.0.1/x", event_types: "github.*.push" },
        "may use * only alone",
      ],
      [
        "a description over 1000 characters",
        { url: "http://127.0.0.1/x", description: "d".repeat(1001) },
        "at most 1000 characters",
      ],
    ])(
      "%s is refused with 422, the error and the typed values, and nothing is created",
      async (_name, fields, error) => {
        const before = await endpointCount();
        const typed = { description: "kept as typed & <b>", event_types: "", ...fields };
        const response = await postForm(
          app,
          "/dashboard/endpoints",
          { csrf_token: session.token, ...typed },
          sameOrigin(),
        );
        expect(response.status).toBe(422);
        expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
        const parsed = await parseHtml(await response.text());
        expect(parsed.text).toContain(error);
        expect(parsed.text).toContain("The endpoint was not created");
        expect(inputValue(parsed, "url")).toBe(typed.url);
        expect(inputValue(parsed, "description")).toBe(typed.description);
        expect(inputValue(parsed, "event_types")).toBe(typed.event_types);
        expect(parsed.tags).not.toContain("b");
        expect(await endpointCount()).toBe(before);
      },
    );

    const withToken = () => ({ csrf_token: session.token, url: "http://127.0.0.1:9/evil" });
    test.each([
      ["without a CSRF token", () => ({ url: "http://127.0.0.1:9/evil" }), {}],
      [
        "with a token that is not the cookie's",
        () => ({ ...withToken(), csrf_token: "x".repeat(43) }),
        {},
      ],
      ["cross-site (Sec-Fetch-Site)", withToken, { "sec-fetch-site": "cross-site" }],
      ["from a foreign Origin", withToken, { origin: "https://evil.example" }],
    ])("a create %s is refused with 403 and creates nothing", async (_name, fields, headers) => {
      const before = await endpointCount();
      const response = await postForm(app, "/dashboard/endpoints", fields(), {
        ...sameOrigin(),
        ...headers,
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(await endpointCount()).toBe(before);
    });

    test("disable and enable need the token, then change the endpoint and redirect back", async () => {
      const endpoint = await seedEndpoint();
      const path = `/dashboard/endpoints/${endpoint.id}/toggle`;
      const refused = await postForm(app, path, { enabled: "false" }, sameOrigin());
      expect(refused.status).toBe(403);
      const crossSite = await postForm(
        app,
        path,
        { csrf_token: session.token, enabled: "false" },
        { ...sameOrigin(), "sec-fetch-site": "cross-site" },
      );
      expect(crossSite.status).toBe(403);
      expect((await app.store.endpoints.get(endpoint.id))?.enabled).toBe(true);

      const disabled = await postForm(
        app,
        path,
        { csrf_token: session.token, enabled: "false" },
        sameOrigin(),
      );
      expect(disabled.status).toBe(303);
      expect(disabled.headers.get("location")).toBe(`/dashboard/endpoints/${endpoint.id}`);
      expect((await app.store.endpoints.get(endpoint.id))?.enabled).toBe(false);
      // The same form sent twice (a double click) leaves it disabled rather than flipping back.
      await postForm(app, path, { csrf_token: session.token, enabled: "false" }, sameOrigin());
      expect((await app.store.endpoints.get(endpoint.id))?.enabled).toBe(false);
      const { parsed } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      const toggle = parsed.elements.find((e) => e.attributes.name === "enabled");
      expect(toggle?.attributes.value).toBe("true");

      const enabled = await postForm(
        app,
        path,
        { csrf_token: session.token, enabled: "true" },
        sameOrigin(),
      );
      expect(enabled.status).toBe(303);
      expect((await app.store.endpoints.get(endpoint.id))?.enabled).toBe(true);
    });

    test("rotating the secret replaces it, and the page shows the new one", async () => {
      const endpoint = await seedEndpoint();
      const path = `/dashboard/endpoints/${endpoint.id}/rotate-secret`;
      expect((await postForm(app, path, {}, sameOrigin())).status).toBe(403);
      expect((await app.store.endpoints.get(endpoint.id))?.secret).toBe(endpoint.secret);

      const response = await postForm(app, path, { csrf_token: session.token }, sameOrigin());
      expect(response.status).toBe(303);
      const rotated = await app.store.endpoints.get(endpoint.id);
      expect(rotated?.secret).toMatch(/^whsec_/);
      expect(rotated?.secret).not.toBe(endpoint.secret);
      const { parsed } = await follow(app, response, session);
      expect(parsed.text).toContain(rotated?.secret ?? "?");
      expect(parsed.text).not.toContain(endpoint.secret);
      expect(parsed.text).toContain("Secret rotated");
    });

    test("delete needs the token, then removes the endpoint and redirects to the list", async () => {
      const endpoint = await seedEndpoint({ description: "to delete" });
      const path = `/dashboard/endpoints/${endpoint.id}/delete`;
      const { parsed: before } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      const form = before.elements.find((e) => e.tag === "form" && e.attributes.action === path);
      expect(form?.attributes["data-confirm"]).toContain("Delete this endpoint");

      expect((await postForm(app, path, {}, sameOrigin())).status).toBe(403);
      expect(await app.store.endpoints.get(endpoint.id)).toBeDefined();
      const response = await postForm(app, path, { csrf_token: session.token }, sameOrigin());
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard/endpoints");
      expect((await follow(app, response, session)).parsed.text).toContain("Endpoint deleted");
      expect(await app.store.endpoints.get(endpoint.id)).toBeUndefined();
      const again = await postForm(app, path, { csrf_token: session.token }, sameOrigin());
      expect(again.status).toBe(404);
    });

    test.each([
      ["an endpoint", "/dashboard/endpoints/no-such-endpoint"],
      ["a delivery", "/dashboard/deliveries/no-such-delivery"],
      ["an id with a control character", "/dashboard/deliveries/a%00b"],
    ])("an unknown id of %s answers a 404 page", async (_name, path) => {
      const { response, parsed } = await page(app, path);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(parsed.text).toContain("not found");
    });

    test("an endpoint's page lists its deliveries with the event and a link to the attempts", async () => {
      const prefix = `list${++cases}`;
      const { endpoint, event, delivery } = await deliveredOnce(prefix);
      const { response, parsed } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(links(parsed)).toContain(`/dashboard/events/${event.id}`);
      expect(links(parsed)).toContain(`/dashboard/deliveries/${delivery.id}`);
      expect(parsed.text).toContain(`${prefix}.created`);
      expect(parsed.text).toContain("pending");

      const delivered = await page(app, `/dashboard/endpoints/${endpoint.id}?status=delivered`);
      expect(links(delivered.parsed)).not.toContain(`/dashboard/deliveries/${delivery.id}`);
      const bad = await page(app, `/dashboard/endpoints/${endpoint.id}?status=bogus&cursor=%%%`);
      expect(bad.response.status).toBe(200);
      expect(bad.parsed.text).toContain("The status filter was ignored");
      expect(links(bad.parsed)).toContain(`/dashboard/deliveries/${delivery.id}`);
    });

    test("an endpoint's deliveries are paged, newest first", async () => {
      const prefix = `page${++cases}`;
      const endpoint = await seedEndpoint({ eventTypes: [`${prefix}.*`], enabled: true });
      // Disabled after recording: the deliveries exist and wait, nothing is sent.
      const ids: string[] = [];
      for (let n = 0; n <= DELIVERIES_PER_PAGE; n++) {
        const result = await app.store.events.record({
          source: "trigger",
          type: `${prefix}.n${n}`,
          occurredAt: new Date(),
          receivedAt: new Date(Date.now() + n),
          payload: {},
          headers: {},
        });
        if (result.status === "stored") ids.push(result.event.id);
      }
      await app.store.endpoints.update(endpoint.id, { enabled: false }, new Date());
      const first = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      const deliveryLinks = (parsed: ParsedHtml) =>
        links(parsed).filter((href) => href.startsWith("/dashboard/deliveries/"));
      expect(deliveryLinks(first.parsed)).toHaveLength(DELIVERIES_PER_PAGE);
      const eventLinks = links(first.parsed).filter((href) =>
        href.startsWith("/dashboard/events/"),
      );
      expect(eventLinks[0]).toBe(`/dashboard/events/${ids[DELIVERIES_PER_PAGE]}`);
      const older = first.parsed.elements.find((e) => e.attributes.rel === "next")?.attributes.href;
      expect(older).toStartWith(`/dashboard/endpoints/${endpoint.id}?cursor=`);
      const second = await page(app, older ?? "");
      expect(deliveryLinks(second.parsed)).toHaveLength(1);
      expect(links(second.parsed)).toContain(`/dashboard/events/${ids[0]}`);
    });

    test("a delivery's page shows every attempt, the receiver's answer escaped, and redelivers", async () => {
      const prefix = `redeliver${++cases}`;
      const { endpoint, event, delivery } = await deliveredOnce(prefix);
      const path = `/dashboard/deliveries/${delivery.id}`;
      const { response, html, parsed } = await page(app, path, { cookie: session.cookie });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(links(parsed)).toContain(`/dashboard/events/${event.id}`);
      expect(links(parsed)).toContain(`/dashboard/endpoints/${endpoint.id}`);
      expect(parsed.text).toContain(XSS);
      expect(html).not.toContain(SCRIPT);
      expectNothingInjected(parsed);
      expect(parsed.text).toContain("500");
      expect(parsed.text).toMatch(/\d+ ms/);

      const retry = `${path}/retry`;
      expect((await postForm(app, retry, {}, sameOrigin())).status).toBe(403);
      const crossSite = await postForm(
        app,
        retry,
        { csrf_token: session.token },
        { ...sameOrigin(), "sec-fetch-site": "cross-site" },
      );
      expect(crossSite.status).toBe(403);
      expect(receiver.requests.filter((r) => r.id === event.id)).toHaveLength(1);

      const redelivered = await postForm(app, retry, { csrf_token: session.token }, sameOrigin());
      expect(redelivered.status).toBe(303);
      expect(redelivered.headers.get("location")).toBe(path);
      await logs.waitForAttempts(2, delivery.id);
      expect(await app.store.deliveries.attempts(delivery.id)).toHaveLength(2);
      expect(receiver.requests.filter((r) => r.id === event.id)).toHaveLength(2);
      const after = await follow(app, redelivered, session);
      expect(after.parsed.text).toContain("Redelivery queued");
      const items = after.parsed.elements.filter((e) => e.attributes.class === "attempt");
      expect(items.map((e) => e.attributes.id)).toEqual(["attempt-1", "attempt-2"]);
      // The delivery's attempt_count started again at the redelivery: the page counts both.
      expect((await app.store.deliveries.get(delivery.id))?.attemptCount).toBe(1);
      expect(after.parsed.text).toContain("Attempts2 (1 since it was last redelivered by hand)");
      // Shown once: the page clears the notice, and loading it again says nothing more.
      expect(setCookies(after.response).hookyard_notice).toBe("");
      const reloaded = await page(app, path, { cookie: session.cookie });
      expect(reloaded.parsed.text).not.toContain("Redelivery queued");
    });

    test("redelivering to a disabled endpoint is refused with 409 rather than left waiting", async () => {
      const { endpoint, delivery } = await deliveredOnce(`disabled${++cases}`);
      await app.store.endpoints.update(endpoint.id, { enabled: false }, new Date());
      const response = await postForm(
        app,
        `/dashboard/deliveries/${delivery.id}/retry`,
        { csrf_token: session.token },
        sameOrigin(),
      );
      expect(response.status).toBe(409);
      expect((await app.store.deliveries.get(delivery.id))?.attemptCount).toBe(1);
    });

    test("markup in an endpoint's description and URL is shown as text on the list and its page", async () => {
      const endpoint = await seedEndpoint({
        url: `http://127.0.0.1:9/?q=${encodeURIComponent(BREAKOUT)}`,
        description: XSS,
        eventTypes: [SCRIPT],
      });
      for (const path of ["/dashboard/endpoints", `/dashboard/endpoints/${endpoint.id}`]) {
        const { response, html, parsed } = await page(app, path);
        expect(response.status).toBe(200);
        expect(parsed.text).toContain(XSS);
        expect(html).not.toContain(SCRIPT);
        expect(html).not.toContain(BREAKOUT);
        expectNothingInjected(parsed);
      }
    });
  });

  describe(`dashboard endpoint pages with ADMIN_TOKEN (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      // ALLOW_PRIVATE_ENDPOINTS left at its default: the SSRF guard applies to the form too.
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN } });
    });
    afterAll(() => app.stop());

    test("the pages need the Basic password", async () => {
      const endpoint = await app.store.endpoints.create(
        {
          url: "https://example.com/hook",
          description: "",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["*"],
          enabled: true,
        },
        new Date(),
      );
      for (const path of ["/dashboard/endpoints", `/dashboard/endpoints/${endpoint.id}`]) {
        const anonymous = await app.request(path);
        expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
        expect(anonymous.headers.get("www-authenticate")).toStartWith("Basic ");
        const wrong = await app.request(path, { headers: { authorization: basic("wrong") } });
        expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
        const ok = await app.request(path, { headers: { authorization: basic(ADMIN_TOKEN) } });
        expect({ path, status: ok.status }).toEqual({ path, status: 200 });
      }
      const post = await postForm(
        app,
        `/dashboard/endpoints/${endpoint.id}/delete`,
        {},
        { "sec-fetch-site": "same-origin" },
      );
      expect(post.status).toBe(401);
      expect(await app.store.endpoints.get(endpoint.id)).toBeDefined();
    });

    test.each([
      ["loopback", "http://127.0.0.1:8080/hook", "loopback"],
      ["cloud metadata", "http://169.254.169.254/latest", "cloud metadata"],
      ["private", "http://10.0.0.5/hook", "private"],
    ])("a %s URL is refused by the form as by the API (422)", async (_name, url, error) => {
      const authorization = basic(ADMIN_TOKEN);
      const session = await openSession(app, "/dashboard/endpoints", { authorization });
      const before = (await app.store.endpoints.list()).length;
      const response = await postForm(
        app,
        "/dashboard/endpoints",
        { csrf_token: session.token, url },
        { authorization, cookie: session.cookie, "sec-fetch-site": "same-origin" },
      );
      expect(response.status).toBe(422);
      const parsed = await parseHtml(await response.text());
      expect(parsed.text).toContain(error);
      expect(parsed.text).toContain("ALLOW_PRIVATE_ENDPOINTS");
      expect((await app.store.endpoints.list()).length).toBe(before);
    });
  });
}
