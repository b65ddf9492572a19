import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import {
  follow,
  openSession,
  page,
  postForm,
  type Session,
  setCookies,
} from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { ok, type Receiver, type Responder, startReceiver, status } from "../support/receiver.ts";
import { until } from "../support/until.ts";
import { type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";

/** Two attempts 50 ms apart, then failed: an outage in a fraction of a second. */
const SETTINGS = {
  DELIVERY_RETRY_SCHEDULE: "50ms",
  ALLOW_PRIVATE_ENDPOINTS: "true",
  DELIVERY_TIMEOUT: "5s",
};

/** A datetime-local value (UTC) `ms` before now. */
const ago = (ms: number) => new Date(Date.now() - ms).toISOString().slice(0, 16);
const HOUR = 3_600_000;

const element = (parsed: ParsedHtml, tag: string, attribute: string, value: string) =>
  parsed.elements.find((e) => e.tag === tag && e.attributes[attribute] === value);

/** The table row that holds `text`, from a page's HTML: as written, and as parsed. */
async function rowWith(html: string, text: string) {
  const row = html.split("<tr").find((chunk) => chunk.includes(text));
  if (row === undefined) throw new Error(`no row holds ${text}`);
  return { html: `<tr${row}`, ...(await parseHtml(`<tr${row}`)) };
}

for (const dialect of dialects) {
  describe(`dashboard endpoint health and recovery (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    const receivers: Receiver[] = [];
    let cases = 0;

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: SETTINGS });
      session = await openSession(app, "/dashboard/endpoints");
    });
    afterEach(async () => {
      for (const endpoint of await app.store.endpoints.list()) {
        await app.store.endpoints.delete(endpoint.id);
      }
      await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    });
    afterAll(() => app.stop());

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const prefix = () => `ops${++cases}`;

    function receiver(respond: Responder = ok): Receiver {
      const started = startReceiver(respond);
      receivers.push(started);
      return started;
    }
    async function endpoint(at: Receiver, eventTypes: string[], enabled = true) {
      const response = await postJson(app, "/endpoints", {
        url: at.url,
        event_types: eventTypes,
        enabled,
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { id: string; url: string };
    }
    async function trigger(type: string) {
      const response = await postJson(app, `/trigger/${type}`, { n: 1 });
      expect(response.status).toBe(202);
    }
    async function settled(endpointId: string, state: string, count: number) {
      const read = async () =>
        (await app.store.deliveries.list({ endpointId, status: state as "failed" }, { limit: 500 }))
          .items.length;
      await until(
        async () => (await read()) === count,
        10_000,
        async () => `expected ${count} ${state}, got ${await read()}`,
      );
    }
    /** An endpoint whose receiver answers 500: `count` failed deliveries of its own type. */
    async function failing(count: number) {
      const type = prefix();
      const down = receiver(() => status(500));
      const made = await endpoint(down, [`${type}.*`]);
      for (let i = 0; i < count; i++) await trigger(`${type}.made`);
      await settled(made.id, "failed", count);
      return { type, receiver: down, endpoint: made };
    }
    const post = (path: string, fields: Record<string, string>) =>
      postForm(app, path, { csrf_token: session.token, ...fields }, sameOrigin());

    test("the list shows each endpoint's health, failing ones red and first", async () => {
      const type = prefix();
      const healthy = await endpoint(receiver(), [`${type}.*`]);
      const parked = await endpoint(receiver(), [`${type}.*`], false);
      const broken = await failing(1);
      await trigger(`${type}.made`);
      await settled(healthy.id, "delivered", 1);

      const { response, html, parsed } = await page(app, "/dashboard/endpoints");
      expect(response.status).toBe(200);
      expect(element(parsed, "main", "data-live-topics", "deliveries")).toBeDefined();
      expect(element(parsed, "div", "id", "endpoints-table")).toBeDefined();
      // Failing first, then the rest oldest first.
      const order = [broken.endpoint.url, healthy.url, parked.url].map((url) => html.indexOf(url));
      expect(order.every((at) => at > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);

      const failingRow = await rowWith(html, broken.endpoint.url);
      expect(
        failingRow.elements.find((e) => e.attributes.class?.includes("badge-bad")),
      ).toBeDefined();
      expect(failingRow.text).toContain("failing");
      expect(failingRow.text).toContain("0 % delivered");
      expect(failingRow.text).toContain("1 delivery: 1 failed");
      expect(failingRow.html).toContain('data-label="Failures in a row">2</td>');
      expect(failingRow.text).toContain("500");

      const healthyRow = await rowWith(html, healthy.url);
      expect(healthyRow.text).toContain("healthy");
      expect(healthyRow.text).toContain("100 % delivered");
      expect(healthyRow.text).toContain("1 delivery: 1 delivered");
      expect(healthyRow.text).toContain("200");
      expect((await rowWith(html, parked.url)).text).toContain("disabled");
    });

    test("an endpoint's page shows its health and keeps it, the chart and the deliveries live", async () => {
      const { endpoint: made } = await failing(1);
      const { parsed } = await page(app, `/dashboard/endpoints/${made.id}`);
      expect(element(parsed, "main", "data-live-endpoint", made.id)).toBeDefined();
      for (const id of ["endpoint-health", "endpoint-chart", "endpoint-deliveries"]) {
        expect(element(parsed, "div", "id", id)?.attributes["data-live-region"]).toBeDefined();
      }
      expect(parsed.text).toContain("Healthfailing");
      expect(parsed.text).toContain("Failures in a row2");
      expect(parsed.text).toContain("Failing since");
      expect(parsed.text).toMatch(/Last attempt500 \d{4}-\d{2}-\d{2}/);
    });

    test("an endpoint's deliveries filter by event type prefix and time, and a bad time is named, not applied", async () => {
      const name = prefix();
      const to = await endpoint(receiver(), [`${name}.*`, `other${name}.*`]);
      await trigger(`${name}.created`);
      await trigger(`other${name}.created`);
      await settled(to.id, "delivered", 2);
      const base = `/dashboard/endpoints/${to.id}`;
      const byType = await page(app, `${base}?type=${encodeURIComponent(`${name}.*`)}`);
      expect(byType.response.status).toBe(200);
      expect(byType.html).toContain(`${name}.created`);
      expect(byType.html).not.toContain(`other${name}.created`);
      const later = await page(app, `${base}?since=${ago(-HOUR)}`);
      expect(later.html).not.toContain(`${name}.created<`);
      const window = await page(app, `${base}?since=${ago(HOUR)}&until=${ago(-HOUR)}`);
      expect(window.html).toContain(`other${name}.created`);
      const bad = await page(app, `${base}?since=yesterday`);
      expect(bad.html).toContain("The since filter was ignored");
      expect(bad.html).toContain(`other${name}.created`);
      // The filter keeps what was typed (the recover form beside it has a since of its own).
      const sinceValues = bad.parsed.elements
        .filter((e) => e.tag === "input" && e.attributes.name === "since")
        .map((e) => e.attributes.value);
      expect(sinceValues).toContain("yesterday");
    });

    test("recover: the confirmation's count is what is queued, and a second look finds none", async () => {
      const { receiver: down, endpoint: made } = await failing(3);
      const path = `/dashboard/endpoints/${made.id}/recover`;
      const since = ago(HOUR);
      const asked = await post(path, { since, until: "" });
      expect(asked.status).toBe(200);
      const confirm = await parseHtml(await asked.text());
      expect(confirm.text).toContain(`3 failed deliveries to ${made.url} created between`);
      expect(element(confirm, "input", "name", "confirm")?.attributes.value).toBe("1");
      expect(element(confirm, "input", "name", "since")?.attributes.value).toBe(since);
      // Counting queued nothing.
      await settled(made.id, "failed", 3);

      down.respond = ok;
      const done = await post(path, { since, until: "", confirm: "1" });
      expect(done.status).toBe(303);
      const shown = await follow(app, done, session);
      expect(shown.location).toBe(`/dashboard/endpoints/${made.id}`);
      expect(shown.parsed.text).toContain("Queued 3 deliveries");
      await settled(made.id, "delivered", 3);

      const again = await parseHtml(await (await post(path, { since })).text());
      expect(again.text).toContain("there is nothing to recover");
      expect(element(again, "input", "name", "confirm")).toBeUndefined();
    });

    test("replay: the events an endpoint never got are counted, then queued", async () => {
      const type = prefix();
      await trigger(`${type}.made`);
      await trigger(`${type}.made`);
      const late = receiver();
      const made = await endpoint(late, [`${type}.*`]);
      const path = `/dashboard/endpoints/${made.id}/replay`;
      const since = ago(HOUR);
      const confirm = await parseHtml(await (await post(path, { since })).text());
      expect(confirm.text).toContain(`2 events received between`);
      const done = await post(path, { since, until: "", confirm: "1" });
      const shown = await follow(app, done, session);
      expect(shown.parsed.text).toContain("Queued 2 deliveries");
      await late.waitFor(2);
      await settled(made.id, "delivered", 2);
    });

    test("a test event's outcome is told on the endpoint's page, failed or delivered", async () => {
      const at = receiver(() => new Response("<b>down</b>", { status: 500 }));
      const made = await endpoint(at, ["nothing.*"]);
      const failed = await post(`/dashboard/endpoints/${made.id}/test`, { event_type: "" });
      expect(failed.status).toBe(303);
      const told = await follow(app, failed, session);
      expect(told.parsed.text).toMatch(/Test event failed: HTTP 500 after \d+ ms/);
      expect(element(told.parsed, "div", "class", "notice notice-bad")).toBeDefined();
      expect(at.requests[0]?.body).toContain('"type":"hookyard.test"');

      at.respond = ok;
      const delivered = await post(`/dashboard/endpoints/${made.id}/test`, {
        event_type: "ping.check",
      });
      const shown = await follow(app, delivered, session);
      expect(shown.parsed.text).toMatch(/Test event delivered: HTTP 200 in \d+ ms\./);
      expect(at.requests[1]?.body).toContain('"type":"ping.check"');
      // Shown once: the page clears the notice as it tells it.
      expect(setCookies(shown.response).hookyard_notice).toBe("");
    });

    test("a test event type hookyard reserves is refused (422) with the input kept", async () => {
      const made = await endpoint(receiver(), ["*"]);
      const response = await post(`/dashboard/endpoints/${made.id}/test`, {
        event_type: "hookyard.endpoint.disabled",
      });
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toStartWith("text/html");
      const parsed = await parseHtml(await response.text());
      expect(element(parsed, "input", "name", "event_type")?.attributes.value).toBe(
        "hookyard.endpoint.disabled",
      );
      expect(parsed.text).toContain("hookyard's own");
    });

    test("a disabled endpoint's recover and replay answer a 409 page saying to enable it first", async () => {
      const made = await endpoint(receiver(), ["*"], false);
      for (const kind of ["recover", "replay"]) {
        const response = await post(`/dashboard/endpoints/${made.id}/${kind}`, {
          since: ago(HOUR),
        });
        expect(response.status).toBe(409);
        expect(response.headers.get("content-type")).toStartWith("text/html");
        const parsed = await parseHtml(await response.text());
        expect(parsed.text).toContain(`${made.url} is disabled`);
        expect(parsed.text).toContain("Enable it first");
        expect(
          element(parsed, "form", "action", `/dashboard/endpoints/${made.id}/toggle`),
        ).toBeDefined();
      }
    });

    test("the recover and replay forms open on their own addresses, since a day ago", async () => {
      const made = await endpoint(receiver(), ["*"]);
      for (const kind of ["recover", "replay"]) {
        const { response, parsed } = await page(app, `/dashboard/endpoints/${made.id}/${kind}`);
        expect(response.status).toBe(200);
        const since = element(parsed, "input", "name", "since")?.attributes;
        expect(since?.type).toBe("datetime-local");
        const shown = Date.parse(`${since?.value}Z`);
        expect(Math.abs(Date.now() - 24 * HOUR - shown)).toBeLessThan(2 * 60_000);
        expect(
          element(parsed, "form", "action", `/dashboard/endpoints/${made.id}/${kind}`),
        ).toBeDefined();
      }
      const missing = await page(app, "/dashboard/endpoints/no-such-endpoint/recover");
      expect(missing.response.status).toBe(404);
    });

    test("a bad window comes back (422) as the form, the problem named and the input kept", async () => {
      const made = await endpoint(receiver(), ["*"]);
      const path = `/dashboard/endpoints/${made.id}/recover`;
      const backwards = await post(path, { since: "2026-11-22T10:00", until: "2026-11-21T10:00" });
      expect(backwards.status).toBe(422);
      const parsed = await parseHtml(await backwards.text());
      expect(parsed.text).toContain("must not be before since");
      expect(element(parsed, "input", "name", "until")?.attributes.value).toBe("2026-11-21T10:00");
      expect(element(parsed, "input", "name", "since")?.attributes.value).toBe("2026-11-22T10:00");

      const typo = await post(path, { since: "yesterday" });
      expect(typo.status).toBe(422);
      const shown = await parseHtml(await typo.text());
      expect(shown.text).toContain("expected a UTC time");
      expect(element(shown, "input", "name", "since")?.attributes).toMatchObject({
        value: "yesterday",
        type: "text",
        "aria-invalid": "true",
      });
    });

    test("a recover posted without the page's token, or from another site, is refused", async () => {
      const { endpoint: made } = await failing(1);
      const path = `/dashboard/endpoints/${made.id}/recover`;
      const fields = { since: ago(HOUR), confirm: "1" };
      const noToken = await postForm(app, path, fields, sameOrigin());
      expect(noToken.status).toBe(403);
      const crossSite = await postForm(
        app,
        path,
        { csrf_token: session.token, ...fields },
        {
          ...sameOrigin(),
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
        },
      );
      expect(crossSite.status).toBe(403);
      expect(await crossSite.text()).toContain("Refused");
      await settled(made.id, "failed", 1);
    });

    test("a delivery's page keeps its status and attempts live", async () => {
      const { endpoint: made } = await failing(1);
      const [delivery] = (await app.store.deliveries.list({ endpointId: made.id }, { limit: 1 }))
        .items;
      const { parsed } = await page(app, `/dashboard/deliveries/${delivery?.id}`);
      expect(element(parsed, "main", "data-live-delivery", delivery?.id ?? "")).toBeDefined();
      expect(element(parsed, "div", "id", "delivery-status")).toBeDefined();
      expect(element(parsed, "div", "id", "delivery-attempts")).toBeDefined();
      // The Redeliver form is outside the regions, so a swap never takes it away.
      const html = (await page(app, `/dashboard/deliveries/${delivery?.id}`)).html;
      expect(html.indexOf("/retry")).toBeLessThan(html.indexOf('id="delivery-status"'));
    });
  });
}
