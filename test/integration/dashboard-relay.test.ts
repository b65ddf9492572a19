import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { RELAY_MESSAGES_PER_PAGE } from "../../src/dashboard/pages/relay.tsx";
import { ERROR_PREVIEW_CHARS } from "../../src/dashboard/pages/relay-list.tsx";
import type { NewRelayMessage, RelayMessage, RelayOutcome } from "../../src/store/relay.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  follow,
  links,
  openSession,
  page,
  postForm,
  type Session,
} from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { handlerAttributes, type ParsedHtml } from "../unit/dashboard/parse-html.ts";

const ADMIN_TOKEN = "s3cret-admin-token";
const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const XSS = `${SCRIPT}${BREAKOUT}`;
/** Past the list's preview of an error: only the message's own page shows it. */
const ERROR_TAIL = "END-OF-A-LONG-ERROR";
const LONG_ERROR = `${XSS} ${"x".repeat(ERROR_PREVIEW_CHARS)} ${ERROR_TAIL}`;
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;

const retryForms = (parsed: ParsedHtml) =>
  parsed.elements.filter((e) => e.tag === "form" && e.attributes.action?.endsWith("/retry"));

function expectNothingInjected(parsed: ParsedHtml) {
  const scripts = parsed.elements.filter((e) => e.tag === "script");
  expect(scripts.map((s) => s.attributes.src)).toEqual(["/dashboard/assets/app.js"]);
  expect(parsed.tags).not.toContain("img");
  expect(handlerAttributes(parsed)).toEqual([]);
}

const event = (project: string, id: string, type: string, data: unknown = {}) =>
  ({
    status: "queued",
    project,
    eventId: id,
    eventType: type,
    payload: { object: "event", id, type, project, data },
  }) as const;

for (const dialect of dialects) {
  describe(`dashboard relay pages (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    const seeded: Record<string, RelayMessage> = {};

    const accept = async (name: string, message: NewRelayMessage) => {
      const result = await app.store.relay.accept(message, new Date());
      if (result.status !== "stored") throw new Error(`seed ${name} was a duplicate`);
      seeded[name] = result.message;
      return result.message;
    };
    /** A message taken through a send that ended with `outcome`, as the worker would. */
    const sentThrough = async (name: string, message: NewRelayMessage, outcome: RelayOutcome) => {
      const stored = await accept(name, message);
      const claimed = await app.store.relay.claimDue(new Date(), 100, { ms: 60_000, holder: "t" });
      expect(claimed.map((m) => m.id)).toContain(stored.id);
      expect(await app.store.relay.finish(stored.id, "t", outcome, new Date())).toBe(true);
      seeded[name] = (await app.store.relay.get(stored.id)) ?? stored;
    };
    const id = (name: string) => seeded[name]?.id ?? `missing-${name}`;
    const messageHref = (name: string) => `/dashboard/relay/${id(name)}`;

    beforeAll(async () => {
      // No SVIX_TOKEN: no relay worker runs, so seeded messages stay as seeded.
      app = await startTestApp(dialect);
      await sentThrough("failed", event("dev", "evt_failed", "user.deleted"), {
        status: "failed",
        error: LONG_ERROR,
      });
      await sentThrough("sent", event("acme", "evt_sent", "user.created"), {
        status: "sent",
        svixMessageId: "msg_2fK9",
      });
      await accept("held", {
        ...event("dev", "evt_held", "user.created", { name: XSS }),
        status: "held",
      });
      await accept("rejected", {
        status: "rejected",
        payload: { message: { data: "%%%", messageId: "42" } },
        reason: `message.data is not base64: ${XSS}`,
        pubsubMessageId: "42",
      });
      await accept("queued", event("acme", "evt_queued", "subscription.activated"));
      session = await openSession(app, messageHref("failed"));
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });

    test("the relay page counts messages by status and by project, each count linking to them", async () => {
      const { response, parsed } = await page(app, "/dashboard/relay");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      const hrefs = links(parsed);
      for (const status of ["queued", "held", "sent", "failed", "rejected"]) {
        expect(hrefs).toContain(`/dashboard/relay?status=${status}`);
      }
      expect(hrefs).toContain("/dashboard/relay?project=dev");
      expect(hrefs).toContain("/dashboard/relay?project=acme");
      expect(hrefs).toContain("/dashboard/relay?status=failed&project=dev");
      expect(hrefs).toContain("/dashboard/relay?status=sent&project=acme");
      expect(hrefs).not.toContain("/dashboard/relay?status=sent&project=dev");
      expect(parsed.text).toContain("(none: rejected envelopes)");
      for (const name of ["failed", "sent", "held", "rejected", "queued"]) {
        expect(hrefs).toContain(messageHref(name));
      }
    });

    test("without SVIX_TOKEN the pages say that messages are held", async () => {
      for (const path of ["/dashboard/relay", messageHref("held")]) {
        const { parsed } = await page(app, path);
        expect(parsed.text).toContain("SVIX_TOKEN is not set");
      }
    });

    test.each([
      ["status", "?status=failed", ["failed"], ["held", "sent", "queued", "rejected"]],
      ["project", "?project=acme", ["sent", "queued"], ["failed", "held", "rejected"]],
      ["status and project", "?status=held&project=dev", ["held"], ["failed", "sent", "queued"]],
    ])("filtering by %s lists only the matching messages", async (_name, query, shown, hidden) => {
      const { response, parsed } = await page(app, `/dashboard/relay${query}`);
      expect(response.status).toBe(200);
      const hrefs = links(parsed);
      for (const name of shown) expect(hrefs).toContain(messageHref(name));
      for (const name of hidden) expect(hrefs).not.toContain(messageHref(name));
    });

    test("a filter that makes no sense is ignored and said so, not an error", async () => {
      const { response, parsed } = await page(app, "/dashboard/relay?status=lost&cursor=%%%");
      expect(response.status).toBe(200);
      expect(parsed.text).toContain("The status filter was ignored");
      expect(parsed.text).toContain("That page link is not valid");
      expect(links(parsed)).toContain(messageHref("failed"));
    });

    test("the list shows the start of the last error, escaped", async () => {
      const { html, parsed } = await page(app, "/dashboard/relay");
      expect(parsed.text).toContain(XSS);
      expect(parsed.text).not.toContain(ERROR_TAIL);
      expect(html).not.toContain(SCRIPT);
      expectNothingInjected(parsed);
    });

    test.each([
      ["failed", [LONG_ERROR, "user.deleted", "evt_failed"]],
      ["held", [`"name": ${JSON.stringify(XSS)}`, "evt_held"]],
      ["rejected", [`message.data is not base64: ${XSS}`, '"data": "%%%"']],
      ["sent", ["msg_2fK9", "user.created"]],
    ])("a %s message's page shows it, its payload and its error, escaped", async (name, texts) => {
      const { response, html, parsed } = await page(app, messageHref(name));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      for (const text of texts) expect(parsed.text).toContain(text);
      expect(html).not.toContain(SCRIPT);
      expectNothingInjected(parsed);
    });

    test.each([
      ["failed", 1],
      ["held", 1],
      ["queued", 1],
      ["sent", 0],
      ["rejected", 0],
    ])("a %s message's page has %d Retry button(s)", async (name, count) => {
      const { parsed } = await page(app, messageHref(name));
      const forms = retryForms(parsed);
      expect(forms).toHaveLength(count);
      if (count > 0) expect(forms[0]?.attributes.action).toBe(`${messageHref(name)}/retry`);
    });

    test("retrying a failed message needs the token, then queues it again and redirects back", async () => {
      const path = `${messageHref("failed")}/retry`;
      expect((await postForm(app, path, {}, sameOrigin())).status).toBe(403);
      const crossSite = await postForm(
        app,
        path,
        { csrf_token: session.token },
        { ...sameOrigin(), "sec-fetch-site": "cross-site" },
      );
      expect(crossSite.status).toBe(403);
      const foreign = await postForm(
        app,
        path,
        { csrf_token: session.token },
        { ...sameOrigin(), origin: "https://evil.example" },
      );
      expect(foreign.status).toBe(403);
      expect((await app.store.relay.get(id("failed")))?.status).toBe("failed");

      const response = await postForm(app, path, { csrf_token: session.token }, sameOrigin());
      expect(response.status).toBe(303);
      const location = response.headers.get("location") ?? "";
      expect(location).toBe(messageHref("failed"));
      expect(await app.store.relay.get(id("failed"))).toMatchObject({
        status: "queued",
        attemptCount: 0,
      });
      const { parsed } = await follow(app, response, session);
      expect(parsed.text).toContain("Queued again");
    });

    test("retrying a held message queues it", async () => {
      const response = await postForm(
        app,
        `${messageHref("held")}/retry`,
        { csrf_token: session.token },
        sameOrigin(),
      );
      expect(response.status).toBe(303);
      expect((await app.store.relay.get(id("held")))?.status).toBe("queued");
    });

    test.each([["sent"], ["rejected"]])(
      "retrying a %s message is refused with 409 and changes nothing",
      async (name) => {
        const response = await postForm(
          app,
          `${messageHref(name)}/retry`,
          { csrf_token: session.token },
          sameOrigin(),
        );
        expect(response.status).toBe(409);
        expect((await app.store.relay.get(id(name)))?.status).toBe(name as RelayMessage["status"]);
      },
    );

    test("an unknown message answers a 404 page, for the page and its retry", async () => {
      const shown = await app.request("/dashboard/relay/no-such-message");
      expect(shown.status).toBe(404);
      expect(shown.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      const retried = await postForm(
        app,
        "/dashboard/relay/no-such-message/retry",
        { csrf_token: session.token },
        sameOrigin(),
      );
      expect(retried.status).toBe(404);
    });

    test("messages are paged, newest first, keeping the filter", async () => {
      const t0 = Date.now();
      for (let n = 0; n <= RELAY_MESSAGES_PER_PAGE; n++) {
        const result = await app.store.relay.accept(
          { ...event("bulk", `evt_bulk_${n}`, "bulk.created"), status: "held" },
          new Date(t0 + n),
        );
        if (result.status === "stored") seeded[`bulk${n}`] = result.message;
      }
      const bulkLinks = (parsed: ParsedHtml) =>
        links(parsed).filter((href) => /^\/dashboard\/relay\/[^?]+$/.test(href));
      const first = await page(app, "/dashboard/relay?project=bulk");
      expect(bulkLinks(first.parsed)).toHaveLength(RELAY_MESSAGES_PER_PAGE);
      expect(bulkLinks(first.parsed)[0]).toBe(messageHref(`bulk${RELAY_MESSAGES_PER_PAGE}`));
      const older = first.parsed.elements.find((e) => e.attributes.rel === "next")?.attributes.href;
      expect(older).toStartWith("/dashboard/relay?project=bulk&cursor=");
      const second = await page(app, older ?? "");
      expect(bulkLinks(second.parsed)).toEqual([messageHref("bulk0")]);
    });
  });

  describe(`dashboard relay pages with ADMIN_TOKEN and SVIX_TOKEN (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, {
        // Nothing listens there, and nothing is queued: the relay worker has nothing to send.
        settings: { ADMIN_TOKEN, SVIX_TOKEN: "sk_test", SVIX_SERVER_URL: "http://127.0.0.1:9" },
      });
    });
    afterAll(() => app.stop());

    test("the pages need the Basic password", async () => {
      const anonymous = await app.request("/dashboard/relay");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toStartWith("Basic ");
      const wrong = await app.request("/dashboard/relay", {
        headers: { authorization: basic("wrong") },
      });
      expect(wrong.status).toBe(401);
      const retry = await postForm(app, "/dashboard/relay/x/retry", {}, {});
      expect(retry.status).toBe(401);
    });

    test("with no messages the page explains the relay and offers a first curl, without the held warning", async () => {
      const { response, parsed } = await page(app, "/dashboard/relay", {
        authorization: basic(ADMIN_TOKEN),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect(parsed.text).toContain("No relay messages yet");
      expect(parsed.text).toContain(`curl -X POST ${app.url}/notifications`);
      expect(parsed.text).not.toContain("SVIX_TOKEN is not set");
    });
  });
}
