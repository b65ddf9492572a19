import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DASHBOARD_CSP } from "../../src/dashboard/html.ts";
import { EVENT_SOURCES, type NewEvent } from "../../src/store/events.ts";
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
import { parseHtml } from "../unit/dashboard/parse-html.ts";

const t0 = Date.parse("2026-11-20T08:00:00Z");
const at = (minute: number) => new Date(t0 + minute * 60_000);

function triggered(type: string, minute: number): NewEvent {
  return {
    source: "trigger",
    type,
    occurredAt: at(minute),
    receivedAt: at(minute),
    payload: { minute },
    headers: {},
  };
}

/** The event types in the list's rows, newest first. */
function listedTypes(html: string): string[] {
  const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr>\s*<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
    (cell[1] ?? "").replace(/<[^>]+>/g, "").trim(),
  );
}

const endpointFields = (url: string, eventTypes: string[], enabled = true) => ({
  url,
  description: "",
  secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0",
  eventTypes,
  enabled,
});

for (const dialect of dialects) {
  describe(`dashboard events for operators (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // Deliveries wait an hour after a failed attempt: the counts stay as the test made them.
      app = await startTestApp(dialect, { settings: { DELIVERY_RETRY_SCHEDULE: "1h" } });
      const events: [string, NewEvent][] = [
        ["created", triggered("task.created", 0)],
        ["updated", triggered("task.updated", 10)],
        ["tasks", triggered("tasks.other", 20)],
        ["order", triggered("order.paid", 30)],
      ];
      for (const [name, event] of events) {
        const result = await app.store.events.record(event);
        if (result.status !== "stored") throw new Error(`seed ${name} was a duplicate`);
        ids[name] = result.event.id;
      }
      // Subscribed after the events came in: a resend is their first delivery.
      await app.store.endpoints.create(endpointFields("https://a.invalid/hook", ["task.*"]), at(0));
      await app.store.endpoints.create(
        endpointFields("https://b.invalid/hook", ["order.*", "task.*", "tasks.*"]),
        at(0),
      );
      await app.store.endpoints.create(
        endpointFields("https://off.invalid/hook", ["*"], false),
        at(0),
      );
      session = await openSession(app, `/dashboard/events/${ids.created}`);
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });

    describe("GET /dashboard filters", () => {
      test.each([
        [
          "since (RFC 3339)",
          "since=2026-11-20T08:10:00Z",
          ["order.paid", "tasks.other", "task.updated"],
        ],
        [
          "until (RFC 3339 with an offset)",
          "until=2026-11-20T10:10:00%2B02:00",
          ["task.updated", "task.created"],
        ],
        [
          "since and until as datetime-local values, read as UTC",
          "since=2026-11-20T08:05&until=2026-11-20T08:20",
          ["tasks.other", "task.updated"],
        ],
        ["a type prefix", "type=task.*", ["task.updated", "task.created"]],
        ["a type prefix and a window", "type=task.*&since=2026-11-20T08:05", ["task.updated"]],
      ])("narrows the list by %s", async (_name, search, types) => {
        const { response, html } = await page(app, `/dashboard?${search}`);
        expect(response.status).toBe(200);
        expect(listedTypes(html)).toEqual(types);
      });

      test("shows the time filters in the form as UTC datetime-local values", async () => {
        const { parsed } = await page(app, "/dashboard?since=2026-11-20T10:10:00%2B02:00");
        const since = parsed.elements.find((e) => e.attributes.name === "since");
        expect(since?.attributes).toMatchObject({
          type: "datetime-local",
          value: "2026-11-20T08:10",
        });
      });

      test("an unknown source is a 422 page naming the allowed sources, listing nothing", async () => {
        const { response, parsed } = await page(app, "/dashboard?source=gitlab");
        expect(response.status).toBe(422);
        expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
        expect(parsed.text).toContain(
          `There is no source "gitlab". Choose one of: ${EVENT_SOURCES.join(", ")}.`,
        );
        expect(parsed.tags).not.toContain("table");
        // The form is still there, holding the value, to correct it.
        expect(
          parsed.elements.some((e) => e.tag === "select" && e.attributes.name === "source"),
        ).toBe(true);
      });

      test.each([
        [
          "an unparseable since",
          "since=yesterday",
          'The since filter "yesterday" is not a date and time',
        ],
        [
          "an impossible until",
          "until=2026-02-30T10:00",
          'The until filter "2026-02-30T10:00" is not a date and time',
        ],
        [
          "until before since",
          "since=2026-11-20T09:00Z&until=2026-11-20T08:00Z",
          "The until time is before the since time",
        ],
        ["a misplaced * in the type", "type=ta*k", "The type filter may use * only alone"],
      ])("%s is a 422 page that says what is wrong", async (_name, search, message) => {
        const { response, parsed } = await page(app, `/dashboard?${search}`);
        expect(response.status).toBe(422);
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(parsed.text).toContain(message);
        expect(parsed.tags).not.toContain("table");
      });

      test("the first page is live, with the list and the chart in live regions; an older page is not", async () => {
        const first = await page(app, "/dashboard?type=task.*");
        const main = first.parsed.elements.find((e) => e.tag === "main");
        expect(main?.attributes["data-live-topics"]).toBe("events");
        expect(first.parsed.elements.some((e) => "data-refresh-seconds" in e.attributes)).toBe(
          false,
        );
        const regions = first.parsed.elements
          .filter((e) => "data-live-region" in e.attributes)
          .map((e) => e.attributes.id);
        expect(regions).toEqual(["events-chart", "events-list"]);
        const invalid = await page(app, "/dashboard?source=nope");
        const invalidMain = invalid.parsed.elements.find((e) => e.tag === "main");
        expect(invalidMain?.attributes["data-live-topics"]).toBeUndefined();
      });

      test("pages keep the filters, and the next page holds the older events in the window", async () => {
        for (let i = 0; i < 55; i++) {
          await app.store.events.record(triggered("bulk.item", 100 + i));
        }
        const search = "type=bulk.*&since=2026-11-20T09:42&until=2026-11-20T10:34";
        const first = await page(app, `/dashboard?${search}`);
        expect(listedTypes(first.html)).toHaveLength(50);
        const older = links(first.parsed).find((href) => href.includes("cursor="));
        expect(older).toStartWith(
          "/dashboard?type=bulk.*&since=2026-11-20T09%3A42&until=2026-11-20T10%3A34&cursor=",
        );
        const second = await page(app, older ?? "");
        // Minutes 102 to 154 are in the window: 53 events, three on the second page.
        expect(listedTypes(second.html)).toEqual(["bulk.item", "bulk.item", "bulk.item"]);
        const main = second.parsed.elements.find((e) => e.tag === "main");
        expect(main?.attributes["data-live-topics"]).toBeUndefined();
      });
    });

    describe("GET /dashboard/events/:id", () => {
      test("keeps its deliveries live, and offers Resend", async () => {
        const { parsed } = await page(app, `/dashboard/events/${ids.order}`);
        const main = parsed.elements.find((e) => e.tag === "main");
        expect(main?.attributes).toMatchObject({
          "data-live-topics": "deliveries",
          "data-live-event": ids.order,
        });
        expect(parsed.elements.find((e) => "data-live-region" in e.attributes)?.attributes.id).toBe(
          "event-deliveries",
        );
        const form = parsed.elements.find(
          (e) =>
            e.tag === "form" && e.attributes.action === `/dashboard/events/${ids.order}/resend`,
        );
        expect(form?.attributes.method).toBe("post");
        expect(parsed.text).toContain("Resend…");
      });
    });

    describe("POST /dashboard/events/:id/resend", () => {
      const resendPath = (name: string) => `/dashboard/events/${ids[name]}/resend`;
      const deliveryCount = async (name: string) =>
        (await app.store.deliveries.list({ eventId: ids[name] }, { limit: 100 })).items.length;

      test("without confirm=1 it asks first, naming each endpoint it would go to, and sends nothing", async () => {
        const response = await postForm(
          app,
          resendPath("created"),
          { csrf_token: session.token },
          sameOrigin(),
        );
        expect(response.status).toBe(200);
        const parsed = await parseHtml(await response.text());
        expect(parsed.text).toContain(
          `This sends event task.created (${ids.created}) again to 2 endpoints:`,
        );
        expect(parsed.text).toContain("https://a.invalid/hook");
        expect(parsed.text).toContain("https://b.invalid/hook");
        expect(parsed.text).not.toContain("https://off.invalid/hook");
        const confirm = parsed.elements.find((e) => e.attributes.name === "confirm");
        expect(confirm?.attributes.value).toBe("1");
        expect(links(parsed)).toContain(`/dashboard/events/${ids.created}`);
        expect(await deliveryCount("created")).toBe(0);
      });

      test("with confirm=1 it resends to each, and the event page says so once", async () => {
        const response = await postForm(
          app,
          resendPath("order"),
          { csrf_token: session.token, confirm: "1" },
          sameOrigin(),
        );
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe(`/dashboard/events/${ids.order}`);
        expect(await deliveryCount("order")).toBe(1);
        const next = await follow(app, response, session);
        expect(next.parsed.text).toContain("Resent to 1 endpoint.");
        // Said once: the page clears the notice, and loaded again says nothing about it.
        expect(setCookies(next.response).hookyard_notice).toBe("");
        const again = await page(app, next.location, { cookie: session.cookie });
        expect(again.parsed.text).not.toContain("Resent to");
      });

      test("a resend adds a delivery to each endpoint every time it is confirmed", async () => {
        const confirm = () =>
          postForm(
            app,
            resendPath("updated"),
            { csrf_token: session.token, confirm: "1" },
            sameOrigin(),
          );
        expect((await confirm()).status).toBe(303);
        expect(await deliveryCount("updated")).toBe(2);
        const second = await confirm();
        expect((await follow(app, second, session)).parsed.text).toContain(
          "Resent to 2 endpoints.",
        );
        expect(await deliveryCount("updated")).toBe(4);
      });

      test("with no endpoint to send to, the page says so and offers no Confirm", async () => {
        const none = await app.store.events.record(triggered("nobody.listens", 40));
        if (none.status !== "stored") throw new Error("duplicate");
        const response = await postForm(
          app,
          `/dashboard/events/${none.event.id}/resend`,
          { csrf_token: session.token },
          sameOrigin(),
        );
        expect(response.status).toBe(200);
        const html = await response.text();
        expect(html).toContain("Nothing would be sent");
        expect(html).not.toContain('name="confirm"');
      });

      test.each([
        ["without a CSRF token", {}, {}],
        ["with a token that is not the cookie's", { csrf_token: "x".repeat(43) }, {}],
        ["cross-site", undefined, { "sec-fetch-site": "cross-site" }],
        ["from a foreign Origin", undefined, { origin: "https://evil.example" }],
      ])(
        "a forged resend (%s) is refused with 403 and sends nothing",
        async (_name, fields, headers) => {
          const before = await deliveryCount("tasks");
          const response = await postForm(
            app,
            resendPath("tasks"),
            { ...(fields ?? { csrf_token: session.token }), confirm: "1" },
            { ...sameOrigin(), ...headers },
          );
          expect(response.status).toBe(403);
          expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
          expect(await deliveryCount("tasks")).toBe(before);
        },
      );

      test("an unknown event is the 404 page", async () => {
        const response = await postForm(
          app,
          "/dashboard/events/no-such-event/resend",
          { csrf_token: session.token, confirm: "1" },
          sameOrigin(),
        );
        expect(response.status).toBe(404);
        expect(await response.text()).toContain("Event not found");
      });
    });
  });
}
