/**
 * Script-injection payloads in every field a dashboard page shows, sent in through the
 * real routes (events, pushes, relay events, endpoints, hooks, a receiver's answers),
 * then every dashboard page reached by following the dashboard's own links, plus its
 * filters filled with the payloads. On each: the CSP header, no element or attribute
 * made from a payload, no script: URL, and the payloads' markup never unescaped.
 * test/unit/dashboard/escaping.test.tsx covers the components one by one; this covers
 * the pages as served.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { defaultBranchPush, githubDelivery, issuesExample } from "../fixtures/github/push.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { capturingLogger, type Receiver, startReceiver } from "../support/receiver.ts";
import { handlerAttributes, type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const SINGLE = "'><svg onload=alert(1)>";
const CLOSER = "</textarea></pre></title><script>alert(2)</script>";
const JS_URL = "javascript:alert(1)";
/** Under 256 characters, so it passes as an entity id, a project, a user id. */
const XSS = `${SCRIPT}${BREAKOUT}${SINGLE}${CLOSER}`;
const MARKUP = [SCRIPT, "<img src=x", "<svg onload", "<script>alert(2)"];

/** Elements no payload may become. */
const FORBIDDEN_TAGS = ["img", "svg", "iframe", "object", "embed", "base", "math", "frame"];
const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "data", "poster"];

function problemsOf(parsed: ParsedHtml, html: string): string[] {
  const problems: string[] = [];
  for (const tag of parsed.tags.filter((tag) => FORBIDDEN_TAGS.includes(tag) && tag !== "svg")) {
    problems.push(`a <${tag}> element`);
  }
  // The charts are the server's own SVG (src/dashboard/charts): an outer chart-svg with a
  // bare plot inside it. Any other <svg> came from a payload.
  const chartSvg = (attributes: Record<string, string | undefined>) =>
    attributes.class === "chart-svg" ||
    (attributes["aria-hidden"] === "true" &&
      /^0 0 \d+ \d+$/.test(attributes.viewbox ?? attributes.viewBox ?? ""));
  for (const svg of parsed.elements.filter((e) => e.tag === "svg" && !chartSvg(e.attributes))) {
    problems.push(`a <svg> element (${JSON.stringify(svg.attributes)})`);
  }
  for (const script of parsed.elements.filter((e) => e.tag === "script")) {
    if (script.attributes.src !== "/dashboard/assets/app.js") problems.push("a foreign <script>");
  }
  for (const name of handlerAttributes(parsed)) problems.push(`an ${name} attribute`);
  for (const element of parsed.elements) {
    for (const name of URL_ATTRIBUTES) {
      // Browsers drop whitespace and control characters inside a scheme.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it drops
      const value = (element.attributes[name] ?? "").replace(/[\s\u0000-\u001f]/g, "");
      // The layout's `<link rel="icon" href="data:,">` (no favicon request) is the one data: URL.
      const layoutIcon = element.tag === "link" && value === "data:,";
      if (/^(javascript|vbscript|data):/i.test(value) && !layoutIcon) {
        problems.push(`${name}="${value}"`);
      }
    }
  }
  for (const markup of MARKUP) if (html.includes(markup)) problems.push(`raw ${markup}`);
  return problems;
}

for (const dialect of dialects) {
  describe(`script payloads on every dashboard page (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;
    const logs = capturingLogger();

    beforeAll(async () => {
      // The receiver answers every delivery with a redirect to a payload and a payload
      // as its body: the attempt keeps both, as its error and its response.
      receiver = startReceiver(
        () =>
          new Response(`${XSS} ${JS_URL}`, {
            status: 302,
            headers: { location: `${JS_URL}//${XSS}` },
          }),
      );
      app = await startTestApp(dialect, {
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
        log: logs.log,
      });
      await seed();
    });
    afterAll(async () => {
      await app.stop();
      await receiver.stop();
    });

    const expectCreated = async (response: Response | Promise<Response>) => {
      const answer = await response;
      const body = await answer.clone().text();
      expect({ created: [200, 201, 202].includes(answer.status), body }).toEqual({
        created: true,
        body,
      });
      return answer;
    };

    async function seed() {
      const endpoint = await (
        await expectCreated(
          postJson(app, "/endpoints", {
            url: `${receiver.url}?next=${encodeURIComponent(XSS)}`,
            description: XSS,
            event_types: ["*"],
          }),
        )
      ).json();
      // A script: URL is no endpoint: refused before it is stored.
      const refused = await postJson(app, "/endpoints", { url: JS_URL, description: XSS });
      expect(refused.status).toBe(422);

      await expectCreated(
        postJson(
          app,
          "/webhooks/event",
          {
            action: "create",
            entity_type: "task",
            time: "2026-11-22T10:00:00Z",
            payload: { id: XSS, name: SCRIPT, homepage: JS_URL, [BREAKOUT]: [SINGLE, CLOSER] },
          },
          { "user-agent": XSS, "idempotency-key": XSS },
        ),
      );
      await expectCreated(
        postJson(app, "/webhooks/event", {
          action: "update",
          entity_type: "task",
          time: "2026-11-22T10:05:00Z",
          id: XSS,
          modified_fields: [BREAKOUT, JS_URL],
          payload: { name: CLOSER, link: JS_URL },
        }),
      );

      const push = defaultBranchPush();
      const repository = push.repository as Record<string, unknown>;
      repository.full_name = `octo/${XSS}`;
      repository.html_url = JS_URL;
      Object.assign(push.head_commit as Record<string, unknown>, {
        message: XSS,
        author: { name: SCRIPT, email: BREAKOUT },
      });
      push.commits = [push.head_commit];
      const delivery = githubDelivery({ event: "push", payload: push });
      delivery.headers["user-agent"] = XSS;
      await expectCreated(
        app.request("/webhooks/github", {
          method: "POST",
          headers: delivery.headers,
          body: delivery.body,
        }),
      );
      const issue = githubDelivery({
        event: "issues",
        payload: { ...issuesExample(), action: XSS },
      });
      await expectCreated(
        app.request("/webhooks/github", {
          method: "POST",
          headers: issue.headers,
          body: issue.body,
        }),
      );

      await expectCreated(
        // Ids and projects are Svix's alphabet only; everything else is free text.
        postJson(app, "/notifications", {
          id: "evt_xss",
          type: "user.created",
          project: "xss",
          data: { name: XSS, url: JS_URL },
        }),
      );
      await expectCreated(
        postJson(app, "/notifications", {
          message: { data: `${XSS}!!`, messageId: XSS, attributes: { note: BREAKOUT } },
          subscription: XSS,
        }),
      );
      // A send Svix refused, its reason an attacker's text (no Svix here: through the store).
      const failed = await app.store.relay.accept(
        {
          status: "queued",
          project: "fuzz",
          eventId: "evt_failed",
          eventType: "user.deleted",
          payload: { id: "evt_failed", type: "user.deleted", project: "fuzz", data: XSS },
        },
        new Date(),
      );
      expect(failed.status).toBe("stored");
      await app.store.relay.claimDue(new Date(), 100, { ms: 60_000, holder: "fuzz" });
      if (failed.status === "stored") {
        await app.store.relay.finish(
          failed.message.id,
          "fuzz",
          { status: "failed", error: XSS },
          new Date(),
        );
      }

      const hook = await (await expectCreated(postJson(app, "/webhook", { userid: XSS }))).json();
      await expectCreated(
        postJson(app, `/webhook/${hook.id}?${new URLSearchParams({ [BREAKOUT]: XSS })}`, {
          note: SCRIPT,
        }),
      );
      await expectCreated(postJson(app, "/trigger/fuzz.xss", { html: XSS, url: JS_URL }));

      // Every event above is delivered once to the endpoint, which answers with a payload.
      const events = (await app.store.events.list({}, { limit: 500 })).items.length;
      await logs.waitForAttempts(events);
      expect(endpoint.id).toBeString();
    }

    /** Every page reachable from the list pages by the dashboard's own links, and filters. */
    async function crawl(): Promise<Map<string, { status: number; problems: string[] }>> {
      const x = encodeURIComponent(XSS);
      const queue = [
        "/dashboard",
        "/dashboard/changes",
        "/dashboard/endpoints",
        "/dashboard/relay",
        "/dashboard/hooks",
        `/dashboard?q=${x}&type=${x}&entity=${x}&source=${x}&cursor=${x}`,
        `/dashboard/relay?project=${x}&status=${x}&cursor=${x}`,
        `/dashboard/changes?cursor=${x}`,
        `/dashboard/${x}`,
      ];
      const visited = new Map<string, { status: number; problems: string[] }>();
      while (queue.length > 0 && visited.size < 300) {
        const path = queue.shift() as string;
        if (visited.has(path)) continue;
        const response = await app.request(path, { redirect: "manual" });
        const html = await response.text();
        const problems: string[] = [];
        if (response.status >= 500) problems.push(`status ${response.status}`);
        if (response.headers.get("content-security-policy") !== DASHBOARD_CSP) {
          problems.push("no Content-Security-Policy");
        }
        const parsed = await parseHtml(html);
        problems.push(...problemsOf(parsed, html));
        visited.set(path, { status: response.status, problems });
        for (const element of parsed.elements) {
          const href = element.tag === "a" ? element.attributes.href : undefined;
          if (href?.startsWith("/dashboard") && !href.startsWith("/dashboard/assets/")) {
            queue.push(href.split("#")[0] as string);
          }
        }
      }
      return visited;
    }

    test("every page carries the CSP and shows the payloads only as text", async () => {
      const visited = await crawl();
      const kinds = new Set(
        [...visited.keys()].map((path) => path.split("?")[0]?.split("/").slice(0, 3).join("/")),
      );
      for (const kind of [
        "/dashboard/events",
        "/dashboard/entities",
        "/dashboard/changes",
        "/dashboard/endpoints",
        "/dashboard/deliveries",
        "/dashboard/relay",
        "/dashboard/hooks",
      ]) {
        expect(kinds).toContain(kind);
      }
      expect(visited.size).toBeGreaterThan(30);
      const bad = [...visited].filter(([, page]) => page.problems.length > 0);
      expect(bad).toEqual([]);
    });

    test("the payloads do reach the pages, as text", async () => {
      const shown = async (path: string) =>
        (await parseHtml(await (await app.request(path)).text())).text;
      const entityPage = await shown(`/dashboard/entities/${encodeURIComponent(XSS)}`);
      expect(entityPage).toContain(SCRIPT);
      expect(entityPage).toContain(CLOSER);
      expect(await shown("/dashboard/changes")).toContain(`octo/${XSS}`);
      expect(await shown("/dashboard/endpoints")).toContain(XSS);
      expect(await shown("/dashboard/hooks")).toContain(XSS);
      const [delivery] = (await app.store.deliveries.list({}, { limit: 1 })).items;
      const attempts = await shown(`/dashboard/deliveries/${delivery?.id}`);
      expect(attempts).toContain(`redirect to ${JS_URL}//${XSS}`);
      expect(attempts).toContain(`${XSS} ${JS_URL}`);
      const relay = await app.store.relay.list({ project: "xss" }, { limit: 1 });
      expect(await shown(`/dashboard/relay/${relay.items[0]?.id}`)).toContain(SCRIPT);
    });

    test("an entity id of raw markup in the address, sent over a bare socket (no client encoding), comes back as text", async () => {
      const port = Number(new URL(app.url).port);
      // No spaces or slashes: Bun's parser refuses those in a request target before the app.
      const target = '/dashboard/entities/"><img%20src=x%20onerror=alert(1)>';
      const answer = await new Promise<string>((resolve, reject) => {
        let received = "";
        const socket = connect(port, "127.0.0.1", () => {
          socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        });
        socket.on("data", (chunk) => {
          received += chunk.toString("latin1");
        });
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
      });
      const [head = "", html = ""] = answer.split("\r\n\r\n", 2);
      expect(head).toStartWith("HTTP/1.1 404");
      expect(head.toLowerCase()).toContain(
        `content-security-policy: ${DASHBOARD_CSP.toLowerCase()}`,
      );
      const parsed = await parseHtml(html);
      expect(parsed.text).toContain("Entity not found");
      expect(problemsOf(parsed, html)).toEqual([]);
      expect(html).not.toContain('"><img');
    });
  });
}
