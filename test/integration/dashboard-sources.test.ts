/**
 * The dashboard's source pages and the endpoint filter forms, driven as a browser drives
 * them (the CSRF cookie, the form's token, a post, the 303): sources created, changed and
 * deleted through the forms, a refused form shown again with what was typed, a source of
 * the config file read-only; an endpoint's payload filter saved and refused from its edit
 * form, and tested against stored events without writing anything.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { readDeclaredSources } from "../../src/sources/declared.ts";
import type { Endpoint } from "../../src/store/endpoints.ts";
import type { StoredEvent } from "../../src/store/events.ts";
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
import { handlerAttributes, type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

const STRIPE_SECRET = "whsec_0123456789abcdefghijKLMN";
const OTHER_SECRET = "whsec_the_next_one_while_rotating";
const SCRIPT = "<script>alert(1)</script>";

const inputValue = (parsed: ParsedHtml, name: string) =>
  parsed.elements.find((e) => e.tag === "input" && e.attributes.name === name)?.attributes.value;

const control = (parsed: ParsedHtml, name: string) =>
  parsed.elements.find(
    (e) => ["input", "select", "textarea"].includes(e.tag) && e.attributes.name === name,
  );

/** The text of the textarea named `name`, as the browser shows it. */
async function textareaValue(html: string, name: string): Promise<string | undefined> {
  let value: string | undefined;
  let inside = false;
  await new HTMLRewriter()
    .on(`textarea[name="${name}"]`, {
      element(element) {
        inside = true;
        value = "";
        element.onEndTag(() => {
          inside = false;
        });
      },
      text(chunk) {
        if (inside) value = `${value ?? ""}${chunk.text}`;
      },
    })
    .transform(new Response(html))
    .text();
  if (value === undefined) return undefined;
  const decoded = (await parseHtml(`<p>${value}</p>`)).text;
  // The parser drops one newline right after <textarea>, as the page writes one for it.
  return decoded.startsWith("\n") ? decoded.slice(1) : decoded;
}

/** The problems shown under the control named `name` (its aria-describedby). */
function problemsOf(html: string, parsed: ParsedHtml, name: string): string {
  const described = control(parsed, name)?.attributes["aria-describedby"] ?? "";
  const id = described.split(" ").find((part) => part.endsWith("-problems"));
  if (id === undefined) return "";
  const start = html.indexOf(`id="${id}"`);
  const end = html.indexOf("</div>", start);
  return html.slice(start, end).replace(/<[^>]+>/g, " ");
}

function expectNothingInjected(parsed: ParsedHtml) {
  const scripts = parsed.elements.filter((e) => e.tag === "script");
  expect(scripts.map((s) => s.attributes.src)).toEqual(["/dashboard/assets/app.js"]);
  expect(handlerAttributes(parsed)).toEqual([]);
}

for (const dialect of dialects) {
  describe(`dashboard source pages (${dialect})`, () => {
    let app: TestApp;
    let session: Session;

    beforeAll(async () => {
      const sources = readDeclaredSources(
        {
          "from-config": {
            verifier: { type: "github", secret: "the-github-secret-in-the-file" },
            description: "declared in hookyard.toml",
          },
        },
        "hookyard.toml",
      );
      app = await startTestApp(dialect, {
        config: { sources },
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
      });
      session = await openSession(app, "/dashboard/sources");
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const send = (path: string, fields: Record<string, string>) =>
      postForm(app, path, { csrf_token: session.token, ...fields }, sameOrigin());
    const storedSource = async (name: string) =>
      (await app.store.sources.list()).find((source) => source.name === name);

    test("Sources is in the navigation; the list offers the form and shows the config file's source", async () => {
      const { response, parsed } = await page(app, "/dashboard/sources", {
        cookie: session.cookie,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      const nav = parsed.elements.find(
        (e) => e.tag === "a" && e.attributes.href === "/dashboard/sources",
      );
      expect(nav?.attributes["aria-current"]).toBe("page");
      const form = parsed.elements.find(
        (e) => e.tag === "form" && e.attributes.action === "/dashboard/sources",
      );
      expect(form?.attributes.method).toBe("post");
      expect(inputValue(parsed, "csrf_token")).toBe(session.token);
      for (const name of ["name", "verifier_type", "secrets", "header", "tolerance", "username"]) {
        expect(control(parsed, name)).toBeDefined();
      }
      expect(parsed.text).toContain("from-config");
      expect(parsed.text).toContain(`${app.url}/in/from-config`);
      expect(parsed.text).toContain("config file (read-only here)");
      expect(links(parsed)).toContain("/dashboard/sources/from-config");
      expect(links(parsed)).toContain("/dashboard?source=from-config");
      // The URL has a Copy button pointing at it.
      const copy = parsed.elements.find((e) => e.attributes["data-copy-target"] !== undefined);
      const target = parsed.elements.find(
        (e) => e.attributes.id === copy?.attributes["data-copy-target"],
      );
      expect(target?.tag).toBe("code");
    });

    test("creating a source through the form shows its URL and its secret masked, never whole", async () => {
      const response = await send("/dashboard/sources", {
        name: " stripe-live ",
        verifier_type: "stripe",
        secrets: `${STRIPE_SECRET}\r\n`,
        tolerance: "10m",
        // Typed, but not a Stripe setting: not sent, so not refused.
        header: "X-Ignored",
        event_type_template: "",
        description: `Stripe, live ${SCRIPT}`,
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard/sources/stripe-live");
      const stored = await storedSource("stripe-live");
      expect(stored?.verifier).toEqual({
        type: "stripe",
        tolerance: "10m",
        secrets: [STRIPE_SECRET],
      });
      expect(stored?.description).toBe(`Stripe, live ${SCRIPT}`);

      const { response: shown, html, parsed } = await follow(app, response, session);
      expect(shown.status).toBe(200);
      expect(parsed.text).toContain("Source created.");
      expect(parsed.text).toContain(`${app.url}/in/stripe-live`);
      expect(parsed.text).toContain("whsec_…KLMN (masked)");
      expect(parsed.text).toContain(`Stripe, live ${SCRIPT}`);
      expect(html).not.toContain("0123456789abcdefghij");
      expectNothingInjected(parsed);
      // The edit form starts from what is stored, with the secrets left empty.
      expect(await textareaValue(html, "secrets")).toBe("");
      expect(inputValue(parsed, "tolerance")).toBe("10m");
      expect(parsed.text).toContain("Leave empty to keep the current one (whsec_…KLMN)");
    });

    test("an hmac source takes its own settings, and its events are one link away", async () => {
      const response = await send("/dashboard/sources", {
        name: "acme",
        verifier_type: "hmac",
        secrets: "acme-shared-secret-1\nacme-shared-secret-2",
        header: "X-Acme-Signature",
        algorithm: "sha512",
        encoding: "",
        prefix: "sha512=",
        username: "not-for-hmac",
        event_type_template: "{{body.kind}}",
      });
      expect(response.status).toBe(303);
      expect((await storedSource("acme"))?.verifier).toEqual({
        type: "hmac",
        header: "X-Acme-Signature",
        algorithm: "sha512",
        encoding: "hex",
        prefix: "sha512=",
        secrets: ["acme-shared-secret-1", "acme-shared-secret-2"],
      });
      const { parsed } = await page(app, "/dashboard/sources");
      expect(links(parsed)).toContain("/dashboard?source=acme");
    });

    test("a refused source is shown again with 422, each problem beside its field and what was typed kept", async () => {
      const before = (await app.store.sources.list()).length;
      const typed = {
        name: "Bad Name",
        verifier_type: "hmac",
        secrets: "good-secret-here\n trailing-space ",
        header: "",
        algorithm: "sha256",
        event_type_template: "{{nope.x}}",
        description: `kept as typed & ${SCRIPT}`,
      };
      const response = await send("/dashboard/sources", typed);
      expect(response.status).toBe(422);
      const html = await response.text();
      const parsed = await parseHtml(html);
      expect(parsed.text).toContain("The source was not created");
      expect(problemsOf(html, parsed, "name")).toContain("must be 1-63 characters");
      expect(problemsOf(html, parsed, "header")).toContain("required");
      expect(problemsOf(html, parsed, "secrets")).toContain(
        "Secret 2: must not begin or end with whitespace",
      );
      expect(problemsOf(html, parsed, "event_type_template")).not.toBe("");
      expect(control(parsed, "name")?.attributes["aria-invalid"]).toBe("true");
      expect(inputValue(parsed, "name")).toBe("Bad Name");
      expect(inputValue(parsed, "description")).toBe(typed.description);
      expect(inputValue(parsed, "event_type_template")).toBe("{{nope.x}}");
      expect(await textareaValue(html, "secrets")).toBe(typed.secrets);
      const hmac = parsed.elements.find((e) => e.tag === "option" && e.attributes.value === "hmac");
      expect(hmac?.attributes.selected).toBeDefined();
      expectNothingInjected(parsed);
      expect((await app.store.sources.list()).length).toBe(before);
    });

    test("a create without the CSRF token is refused with 403 and creates nothing", async () => {
      const response = await postForm(
        app,
        "/dashboard/sources",
        { name: "forged", verifier_type: "none" },
        sameOrigin(),
      );
      expect(response.status).toBe(403);
      expect(await storedSource("forged")).toBeUndefined();
    });

    test("editing with the secrets left empty keeps them; typed ones replace them", async () => {
      const kept = await send("/dashboard/sources/stripe-live/edit", {
        verifier_type: "stripe",
        secrets: "",
        tolerance: "2m",
        event_type_template: "{{body.type}}",
        description: "Stripe, live mode",
      });
      expect(kept.status).toBe(303);
      expect(kept.headers.get("location")).toBe("/dashboard/sources/stripe-live");
      const { parsed } = await follow(app, kept, session);
      expect(parsed.text).toContain("Source saved.");
      expect(parsed.text).toContain("stripe-live.{{body.type}}");
      const afterKeep = await storedSource("stripe-live");
      expect(afterKeep?.verifier).toEqual({
        type: "stripe",
        tolerance: "2m",
        secrets: [STRIPE_SECRET],
      });
      expect(afterKeep?.eventType).toBe("{{body.type}}");
      expect(afterKeep?.description).toBe("Stripe, live mode");

      const rotated = await send("/dashboard/sources/stripe-live/edit", {
        verifier_type: "stripe",
        secrets: `${OTHER_SECRET}\n${STRIPE_SECRET}`,
        tolerance: "2m",
        event_type_template: "",
        description: "Stripe, live mode",
      });
      expect(rotated.status).toBe(303);
      const afterRotation = await storedSource("stripe-live");
      expect(afterRotation?.verifier).toMatchObject({ secrets: [OTHER_SECRET, STRIPE_SECRET] });
      // Emptied: back to the provider's own type field.
      expect(afterRotation?.eventType).toBeNull();
    });

    test("a refused edit is shown with 422 on the source's page, the form open, and nothing changed", async () => {
      const before = await storedSource("stripe-live");
      const response = await send("/dashboard/sources/stripe-live/edit", {
        verifier_type: "stripe",
        secrets: "",
        tolerance: "forever",
        description: "changed?",
      });
      expect(response.status).toBe(422);
      const html = await response.text();
      const parsed = await parseHtml(html);
      expect(parsed.text).toContain("The source was not saved");
      expect(problemsOf(html, parsed, "tolerance")).toContain("must be a duration");
      expect(inputValue(parsed, "tolerance")).toBe("forever");
      expect(inputValue(parsed, "description")).toBe("changed?");
      expect(parsed.elements.find((e) => e.attributes.id === "edit")?.attributes.open).toBe("");
      expect(await storedSource("stripe-live")).toEqual(before);
    });

    test("a source's page lists its recent events", async () => {
      const created = await send("/dashboard/sources", {
        name: "shop",
        verifier_type: "none",
        event_type_template: "{{body.kind}}",
      });
      expect(created.status).toBe(303);
      const inbound = await app.request("/in/shop", {
        method: "POST",
        headers: { "content-type": "application/json", "x-shop-topic": "orders/paid" },
        body: JSON.stringify({ kind: "order.paid", note: SCRIPT }),
      });
      expect(inbound.status).toBeLessThan(300);
      const { response, parsed } = await page(app, "/dashboard/sources/shop");
      expect(response.status).toBe(200);
      expect(parsed.text).toContain("shop.order.paid");
      expect(parsed.text).toContain(SCRIPT);
      expectNothingInjected(parsed);
    });

    test("deleting through the form removes the source: its URL and page answer 404", async () => {
      const response = await send("/dashboard/sources/acme/delete", {});
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/dashboard/sources");
      const { parsed } = await follow(app, response, session);
      expect(parsed.text).toContain("Source acme deleted");
      expect(await storedSource("acme")).toBeUndefined();
      expect((await app.request("/in/acme", { method: "POST", body: "{}" })).status).toBe(404);
      expect((await page(app, "/dashboard/sources/acme")).response.status).toBe(404);
    });

    test("a source of the config file is read-only: a note, no edit form or delete button, and its forms are refused", async () => {
      const { response, parsed } = await page(app, "/dashboard/sources/from-config");
      expect(response.status).toBe(200);
      expect(parsed.text).toContain("declared in the config file, so it is read-only here");
      expect(parsed.text).toContain("…");
      const actions = parsed.elements
        .filter((e) => e.tag === "form" && e.attributes.method === "post")
        .map((e) => e.attributes.action);
      expect(actions).toEqual([]);
      for (const action of ["edit", "delete"]) {
        const refused = await send(`/dashboard/sources/from-config/${action}`, {
          verifier_type: "none",
        });
        expect(refused.status).toBe(409);
        expect(await refused.text()).toContain("config file");
      }
      expect((await app.request("/sources/from-config")).status).toBe(200);
    });

    test("the events list's source filter offers the sources by name and takes them", async () => {
      const { response, parsed } = await page(app, "/dashboard?source=shop");
      expect(response.status).toBe(200);
      const options = parsed.elements
        .filter((e) => e.tag === "option")
        .map((e) => e.attributes.value);
      expect(options).toEqual(expect.arrayContaining(["github", "from-config", "shop"]));
      expect(parsed.text).toContain("shop.order.paid");
      const unknown = await page(app, "/dashboard?source=gitlab");
      expect(unknown.response.status).toBe(422);
      expect(unknown.parsed.text).toContain("from-config, shop, stripe-live");
    });
  });

  describe(`an endpoint's payload filter in the dashboard (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    let endpoint: Endpoint;
    const events: Record<"big" | "small" | "other", StoredEvent> = {} as never;

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
      });
      endpoint = await app.store.endpoints.create(
        {
          url: "http://127.0.0.1:9/unused",
          description: "Big orders",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["order.*"],
          enabled: true,
        },
        new Date(),
      );
      const record = async (type: string, amount: number, topic: string) => {
        const result = await app.store.events.record({
          source: "trigger",
          type,
          occurredAt: new Date(),
          receivedAt: new Date(),
          payload: { data: { amount } },
          headers: { "x-topic": topic },
        });
        if (result.status !== "stored") throw new Error("seed event was a duplicate");
        return result.event;
      };
      events.big = await record("order.paid", 5000, "orders/paid");
      events.small = await record("order.paid", 10, "orders/paid");
      events.other = await record("invoice.paid", 5000, "orders/paid");
      session = await openSession(app, `/dashboard/endpoints/${endpoint.id}`);
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const edit = (fields: Record<string, string>) =>
      postForm(
        app,
        `/dashboard/endpoints/${endpoint.id}/edit`,
        {
          csrf_token: session.token,
          url: endpoint.url,
          description: endpoint.description,
          event_types: "order.*",
          ...fields,
        },
        sameOrigin(),
      );
    const deliveryCount = async () =>
      (await app.store.deliveries.list({ endpointId: endpoint.id }, { limit: 100 })).items.length;

    test("the edit form has the filter field, empty while there is none", async () => {
      const { html, parsed } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      expect(control(parsed, "filter")?.tag).toBe("textarea");
      expect(await textareaValue(html, "filter")).toBe("");
      expect(parsed.text).toContain("none: every event of its types");
    });

    test("a filter saved from the edit form is stored and shown pretty-printed", async () => {
      const response = await edit({ filter: '{"data.amount": {"$gte": 1000}}' });
      expect(response.status).toBe(303);
      expect((await app.store.endpoints.get(endpoint.id))?.filter).toEqual({
        "data.amount": { $gte: 1000 },
      });
      const { html, parsed } = await follow(app, response, session);
      const pretty = JSON.stringify({ "data.amount": { $gte: 1000 } }, null, 2);
      expect(parsed.text).toContain(pretty);
      expect(await textareaValue(html, "filter")).toBe(pretty);
    });

    test.each([
      ["text that is not JSON", '{"data.amount": ', "is not valid JSON"],
      ["an unknown operator", '{"data.amount": {"$gtt": 1}}', "filter.data.amount.$gtt"],
    ])(
      "%s is refused with 422 beside the filter, the text kept, nothing saved",
      async (_name, typed, message) => {
        const before = await app.store.endpoints.get(endpoint.id);
        const response = await edit({ filter: typed, url: "ftp://not-http.example/" });
        expect(response.status).toBe(422);
        const html = await response.text();
        const parsed = await parseHtml(html);
        expect(problemsOf(html, parsed, "filter")).toContain(message);
        // The other fields' problems come with it, in one answer.
        expect(problemsOf(html, parsed, "url")).toContain("must use http or https");
        expect(control(parsed, "filter")?.attributes["aria-invalid"]).toBe("true");
        expect(await textareaValue(html, "filter")).toBe(typed);
        expect(await app.store.endpoints.get(endpoint.id)).toEqual(before);
      },
    );

    test("the endpoint's page has a form that tests the filter against an event", async () => {
      const { parsed } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      const form = parsed.elements.find(
        (e) =>
          e.tag === "form" &&
          e.attributes.action === `/dashboard/endpoints/${endpoint.id}/filter-test`,
      );
      expect(form?.attributes.method).toBe("get");
      expect(control(parsed, "event_id")).toBeDefined();
    });

    test.each([
      ["big", "Taken: event order.paid matches", "matched"],
      ["small", "Not taken: the saved filter does not match it", "not matched"],
      // Its payload matches: only its type keeps it out, and the page says which.
      ["other", "Not taken: its type is not among this endpoint's event types.", "matched"],
    ] as const)("the %s event: %s, and nothing is written", async (which, verdict, filterLine) => {
      const before = await deliveryCount();
      const { response, parsed } = await page(
        app,
        `/dashboard/endpoints/${endpoint.id}/filter-test?event_id=${events[which].id}`,
      );
      expect(response.status).toBe(200);
      expect(parsed.text).toContain(verdict);
      expect(parsed.text).toContain(`Filter${filterLine}`);
      expect(await deliveryCount()).toBe(before);
    });

    test("a filter typed into the test form is tested instead of the saved one", async () => {
      const filter = encodeURIComponent('{"headers.x-topic": "orders/paid"}');
      const { response, html, parsed } = await page(
        app,
        `/dashboard/endpoints/${endpoint.id}/filter-test?event_id=${events.small.id}&filter=${filter}`,
      );
      expect(response.status).toBe(200);
      expect(parsed.text).toContain("Taken: event order.paid matches");
      expect(parsed.text).toContain("Filter (not saved)matched");
      expect(await textareaValue(html, "filter")).toBe('{"headers.x-topic": "orders/paid"}');
      expect((await app.store.endpoints.get(endpoint.id))?.filter).toEqual({
        "data.amount": { $gte: 1000 },
      });
    });

    test("an unknown event id, or a typed filter that is not JSON, says so beside the field", async () => {
      const missing = await page(
        app,
        `/dashboard/endpoints/${endpoint.id}/filter-test?event_id=${encodeURIComponent(SCRIPT)}`,
      );
      expect(missing.response.status).toBe(404);
      expect(problemsOf(missing.html, missing.parsed, "event_id")).toContain("There is no event");
      expectNothingInjected(missing.parsed);
      const broken = await page(
        app,
        `/dashboard/endpoints/${endpoint.id}/filter-test?event_id=${events.big.id}&filter=%7B`,
      );
      expect(broken.response.status).toBe(422);
      expect(problemsOf(broken.html, broken.parsed, "filter")).toContain("is not valid JSON");
    });

    test("emptying the filter text removes the filter", async () => {
      const response = await edit({ filter: "  " });
      expect(response.status).toBe(303);
      expect((await app.store.endpoints.get(endpoint.id))?.filter ?? null).toBeNull();
    });
  });
}
