import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { handlerAttributes, type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const t0 = Date.parse("2026-11-20T08:00:00Z");

/** An entity event as POST /webhooks/event stores it: the body as sent. */
function entityEvent(
  entityId: string,
  action: "create" | "update" | "delete",
  minute: number,
  fields: Record<string, unknown>,
  extra: Partial<NewEvent> = {},
): NewEvent {
  const time = new Date(t0 + minute * 60_000);
  return {
    source: "entity",
    type: `task.${action}`,
    entityType: "task",
    entityId,
    action,
    occurredAt: time,
    receivedAt: time,
    payload: {
      action,
      entity_type: "task",
      time: time.toISOString(),
      ...(action === "create" ? {} : { id: entityId, modified_fields: Object.keys(fields) }),
      payload: fields,
    },
    headers: { "user-agent": "backend/1.0", "webhook-id": `msg_${entityId}_${minute}` },
    ...extra,
  };
}

async function page(app: TestApp, path: string) {
  const response = await app.request(path);
  const html = await response.text();
  return { response, html, parsed: await parseHtml(html) };
}

const links = (parsed: ParsedHtml) =>
  parsed.elements.filter((e) => e.tag === "a").map((e) => e.attributes.href ?? "");

/** The rows of the page's first data table, each as its cells' text. */
function tableRows(html: string): string[][] {
  const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      (cell[1] ?? "").replace(/<[^>]+>/g, ""),
    ),
  );
}

function expectNothingInjected(parsed: ParsedHtml) {
  const scripts = parsed.elements.filter((e) => e.tag === "script");
  expect(scripts.map((s) => s.attributes.src)).toEqual(["/dashboard/assets/app.js"]);
  expect(parsed.tags).not.toContain("img");
  expect(handlerAttributes(parsed)).toEqual([]);
}

for (const dialect of dialects) {
  describe(`dashboard event pages (${dialect})`, () => {
    let app: TestApp;
    const ids: Record<string, string> = {};

    const record = async (name: string, event: NewEvent, change?: unknown) => {
      const result = await app.store.events.record(event, change ? { change } : {});
      if (result.status !== "stored") throw new Error(`seed ${name} was a duplicate`);
      ids[name] = result.event.id;
    };

    beforeAll(async () => {
      app = await startTestApp(dialect);
      // A disabled-by-nothing endpoint for the xss.* events, so the event page has a delivery.
      await app.store.endpoints.create(
        {
          url: "https://receiver.invalid/hook",
          description: "",
          secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0",
          eventTypes: ["task.create"],
          enabled: true,
        },
        new Date(t0),
      );
      for (let i = 0; i < 53; i++) {
        await record(`bulk${i}`, {
          ...entityEvent(`bulk-${i}`, "create", i, { n: i }),
          type: "bulk.create",
          entityType: "bulk",
        });
      }
      await record(
        "create",
        entityEvent("task-1", "create", 100, { id: "task-1", name: "Write docs" }),
      );
      // Arrives after the update it precedes in time: the timeline and state follow `time`.
      await record("update", entityEvent("task-1", "update", 110, { assignee: "bob" }));
      await record("early", {
        ...entityEvent("task-1", "update", 105, { name: "Write the docs" }),
        receivedAt: new Date(t0 + 120 * 60_000),
      });
      await record("xss", entityEvent(BREAKOUT, "create", 130, { id: BREAKOUT, title: SCRIPT }));
      await record("github", {
        source: "github",
        type: "github.push",
        occurredAt: new Date(t0 + 140 * 60_000),
        receivedAt: new Date(t0 + 140 * 60_000),
        payload: { ref: "refs/heads/main", note: "needle-in-haystack" },
        headers: { "x-github-event": "push", "x-github-delivery": "d-1" },
      });
    });
    afterAll(() => app.stop());

    const eventPages = () => [
      "/dashboard",
      `/dashboard/events/${ids.create}`,
      "/dashboard/entities/task-1",
      "/dashboard/changes",
      "/dashboard/hooks",
    ];

    test("every page answers 200 HTML with the strict Content-Security-Policy", async () => {
      for (const path of eventPages()) {
        const { response } = await page(app, path);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      }
    });

    describe("GET /dashboard", () => {
      test("lists events newest first, with links to the event and its entity", async () => {
        const { html, parsed } = await page(app, "/dashboard");
        const rows = tableRows(html);
        expect(rows.slice(0, 3).map((row) => row[0])).toEqual([
          "github.push",
          "task.create",
          "task.update",
        ]);
        expect(links(parsed)).toContain(`/dashboard/events/${ids.github}`);
        expect(links(parsed)).toContain("/dashboard/entities/task-1");
        expect(parsed.text).toContain('{"id":"task-1","name":"Write docs"}');
      });

      test("keeps the first page live", async () => {
        const { parsed } = await page(app, "/dashboard?source=entity");
        const main = parsed.elements.find((e) => e.tag === "main");
        expect(main?.attributes["data-live-topics"]).toBe("events");
      });

      test.each([
        ["source=github", ["github.push"]],
        ["type=task.update", ["task.update", "task.update"]],
        ["entity_id=task-1", ["task.update", "task.update", "task.create"]],
        ["q=needle-in", ["github.push"]],
      ])("filters by %s and keeps the filter in the form", async (search, types) => {
        const { html, parsed } = await page(app, `/dashboard?${search}`);
        expect(tableRows(html).map((row) => row[0])).toEqual(types);
        const [name, value] = search.split("=");
        const control = parsed.elements.find(
          (e) => (e.tag === "input" || e.tag === "select") && e.attributes.name === name,
        );
        const shown =
          control?.tag === "select"
            ? parsed.elements.find((e) => e.tag === "option" && "selected" in e.attributes)
                ?.attributes.value
            : control?.attributes.value;
        expect(shown).toBe(value);
      });

      test("pages with Older links that keep the filters, not live past the first", async () => {
        const first = await page(app, "/dashboard?type=bulk.create");
        expect(tableRows(first.html)).toHaveLength(50);
        const older = links(first.parsed).find((href) => href.includes("cursor="));
        expect(older).toStartWith("/dashboard?type=bulk.create&cursor=");
        const second = await page(app, older ?? "");
        expect(tableRows(second.html).map((row) => row[1])).toEqual(["bulk-2", "bulk-1", "bulk-0"]);
        expect(second.parsed.elements.some((e) => "data-live-topics" in e.attributes)).toBe(false);
      });

      test("says when nothing matches, and ignores a broken cursor with a warning", async () => {
        const none = await page(app, "/dashboard?type=no.such");
        expect(none.parsed.text).toContain("No matching events");
        const broken = await page(app, "/dashboard?cursor=not-a-cursor");
        expect(broken.response.status).toBe(200);
        expect(broken.parsed.text).toContain("That page link is not valid");
        expect(tableRows(broken.html)[0]?.[0]).toBe("github.push");
      });

      test("shows attacker-controlled payloads and ids as text", async () => {
        const { parsed } = await page(app, `/dashboard?entity_id=${encodeURIComponent(BREAKOUT)}`);
        expectNothingInjected(parsed);
        expect(parsed.text).toContain(BREAKOUT);
        expect(parsed.text).toContain(JSON.stringify(SCRIPT));
        expect(links(parsed)).toContain(`/dashboard/entities/${encodeURIComponent(BREAKOUT)}`);
      });
    });

    describe("GET /dashboard/events/:id", () => {
      test("shows the facts, the pretty-printed payload, the kept headers and the deliveries", async () => {
        const { parsed } = await page(app, `/dashboard/events/${ids.create}`);
        expect(parsed.text).toContain(ids.create ?? "?");
        expect(parsed.text).toContain('"name": "Write docs"');
        expect(parsed.text).toContain("backend/1.0");
        const deliveries = await app.store.deliveries.list({ eventId: ids.create }, { limit: 5 });
        expect(deliveries.items).toHaveLength(1);
        expect(links(parsed)).toContain(`/dashboard/deliveries/${deliveries.items[0]?.id}`);
        expect(parsed.text).toContain(deliveries.items[0]?.endpointId ?? "?");
      });

      test("shows attacker-controlled payloads as text", async () => {
        const { parsed } = await page(app, `/dashboard/events/${ids.xss}`);
        expectNothingInjected(parsed);
        expect(parsed.text).toContain(SCRIPT);
        expect(parsed.text).toContain(BREAKOUT);
      });

      test.each([
        ["an unknown id", "no-such-event"],
        ["an id with a NUL byte", "a%00b"],
        ["an overlong id", "x".repeat(300)],
      ])("answers 404 for %s", async (_name, id) => {
        const { response, parsed } = await page(app, `/dashboard/events/${id}`);
        expect(response.status).toBe(404);
        expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
        expect(parsed.text).toContain("Event not found");
      });
    });

    describe("GET /dashboard/entities/:id", () => {
      test("shows the timeline in time order and the folded state", async () => {
        const { html, parsed } = await page(app, "/dashboard/entities/task-1");
        const timeline = tableRows(html).map((row) => [row[1], row[3]]);
        expect(timeline).toEqual([
          ["create", "—"],
          ["update", "name"],
          ["update", "assignee"],
        ]);
        expect(parsed.text).toContain(
          JSON.stringify({ id: "task-1", name: "Write the docs", assignee: "bob" }, null, 2),
        );
        expect(parsed.text).toContain("Version (events folded)3");
      });

      test("shows the same state as GET /aggregates/:id", async () => {
        const aggregate = await (await app.request("/aggregates/task-1")).json();
        const { parsed } = await page(app, "/dashboard/entities/task-1");
        expect(parsed.text).toContain(JSON.stringify(aggregate.state, null, 2));
      });

      test("shows an attacker-controlled entity id and payload as text", async () => {
        const { response, parsed } = await page(
          app,
          `/dashboard/entities/${encodeURIComponent(BREAKOUT)}`,
        );
        expect(response.status).toBe(200);
        expectNothingInjected(parsed);
        expect(parsed.text).toContain(`Entity ${BREAKOUT}`);
        expect(parsed.text).toContain(SCRIPT);
      });

      test("answers 404 for an entity without events", async () => {
        const { response, parsed } = await page(app, "/dashboard/entities/nobody");
        expect(response.status).toBe(404);
        expect(parsed.text).toContain("Entity not found");
      });
    });

    test("an unknown dashboard address or asset answers 404", async () => {
      expect((await app.request("/dashboard/no-such-page")).status).toBe(404);
      expect((await app.request("/dashboard/assets/evil.js")).status).toBe(404);
      const css = await app.request("/dashboard/assets/style.css");
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    });
  });

  describe(`dashboard on an empty database (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("the events list explains how to send a first event, and the curl it offers works", async () => {
      const { parsed } = await page(app, "/dashboard");
      expect(parsed.text).toContain("No events yet");
      const command = parsed.elements.find((e) => e.tag === "pre")
        ? parsed.text.match(/curl -X POST [\s\S]*?\}'/)?.[0]
        : undefined;
      expect(command).toContain(`${app.url}/webhooks/event`);
      expect(command).toContain('"payload":{"id":"task-1","name":"Write docs"}');
      // Async: the server answering it runs in this very process.
      const curl = Bun.spawn(["sh", "-c", `${command} --silent --show-error`], { stderr: "pipe" });
      const answer = await new Response(curl.stdout).text();
      expect(await curl.exited).toBe(0);
      expect(JSON.parse(answer)).toMatchObject({ entity_id: "task-1", type: "task.create" });
      const after = await page(app, "/dashboard");
      expect(links(after.parsed)).toContain("/dashboard/entities/task-1");
    });

    test("the changes list says where to point GitHub", async () => {
      const { parsed } = await page(app, "/dashboard/changes");
      expect(parsed.text).toContain("No changes yet");
      expect(parsed.text).toContain(`${app.url}/webhooks/github`);
    });
  });
}
