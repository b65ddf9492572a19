import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import {
  follow,
  links,
  openSession,
  page,
  postForm,
  type Session,
} from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { startReceiver, status } from "../support/receiver.ts";
import { until } from "../support/until.ts";

/** Two attempts 50 ms apart, then failed: an outage in a fraction of a second. */
const SETTINGS = {
  DELIVERY_RETRY_SCHEDULE: "50ms",
  ALLOW_PRIVATE_ENDPOINTS: "true",
  DELIVERY_TIMEOUT: "10s",
};
const ALPHAS = 31;
const BETAS = 5;
const EVENTS = ALPHAS + BETAS;

/**
 * A receiver that answers 500 until `hold()`; then it holds every request unanswered (a
 * retried delivery stays pending while it waits) until `release()` answers them all.
 */
function failingReceiver() {
  const receiver = startReceiver();
  let holding = false;
  const held: ((response: Response) => void)[] = [];
  receiver.respond = () =>
    holding ? new Promise<Response>((resolve) => held.push(resolve)) : status(500);
  return {
    receiver,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer(new Response("ok"));
    },
  };
}

for (const dialect of dialects) {
  describe(`dashboard failures (${dialect})`, () => {
    let app: TestApp;
    let session: Session;
    let emptyPage: { status: number; text: string };
    const lines: ReturnType<typeof failingReceiver>[] = [];
    const endpoints: { id: string; url: string }[] = [];
    let startedAt: Date;

    const sameOrigin = () => ({
      cookie: session.cookie,
      origin: app.url,
      "sec-fetch-site": "same-origin",
    });
    const failedCount = async (filter = {}) => {
      const counts = await app.store.recovery.countFailedByEndpoint(filter);
      return [...counts.values()].reduce((sum, n) => sum + n, 0);
    };
    const post = (path: string, fields: Record<string, string>) =>
      postForm(app, path, { csrf_token: session.token, ...fields }, sameOrigin());
    const deliveryLinks = (hrefs: string[]) =>
      hrefs.filter((href) => href.startsWith("/dashboard/deliveries/"));

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: SETTINGS });
      const empty = await page(app, "/dashboard/failures");
      emptyPage = { status: empty.response.status, text: empty.parsed.text };
      startedAt = new Date(Date.now() - 60_000);
      for (let i = 0; i < 3; i++) {
        const line = failingReceiver();
        lines.push(line);
        const response = await postJson(app, "/endpoints", {
          url: line.receiver.url,
          event_types: ["fa.*"],
        });
        expect(response.status).toBe(201);
        endpoints.push((await response.json()) as { id: string; url: string });
      }
      for (let i = 0; i < EVENTS; i++) {
        const type = i < ALPHAS ? "fa.alpha" : "fa.beta";
        expect((await postJson(app, `/trigger/${type}`, { i })).status).toBe(202);
      }
      await until(
        async () => (await failedCount()) === EVENTS * 3,
        15_000,
        async () => `expected ${EVENTS * 3} failed, got ${await failedCount()}`,
      );
      // The second endpoint is disabled: a bulk retry skips its failures.
      const disable = await app.request(`/endpoints/${endpoints[1]?.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled: false }),
      });
      expect(disable.status).toBe(200);
      // The Retry these form carries the page's CSRF token once there is something to retry.
      session = await openSession(app, "/dashboard/failures");
    });
    afterAll(async () => {
      for (const line of lines) line.release();
      await app.stop();
      await Promise.all(lines.map((line) => line.receiver.stop()));
    });

    const endpoint = (n: number) => endpoints[n] as { id: string; url: string };

    test("with no failures, the page says so", () => {
      expect(emptyPage.status).toBe(200);
      expect(emptyPage.text).toContain("No failed deliveries");
      expect(emptyPage.text).not.toContain("None match these filters");
    });

    test("lists failed deliveries newest first, a page at a time, with what failed and where", async () => {
      const first = await page(app, "/dashboard/failures");
      expect(first.response.status).toBe(200);
      const firstLinks = deliveryLinks(links(first.parsed));
      expect(firstLinks).toHaveLength(50);
      expect(first.parsed.text).toContain("fa.alpha");
      expect(first.parsed.text).toContain(endpoint(0).url);
      expect(first.parsed.text).toContain("500");
      // Newest first: the betas were triggered last.
      const [newest] = (await app.store.deliveries.list({ status: "failed" }, { limit: 1 })).items;
      expect(firstLinks[0]).toBe(`/dashboard/deliveries/${newest?.id}`);
      // The first page listens for delivery outcomes, its table inside the live region.
      const main = first.parsed.elements.find((e) => e.tag === "main");
      expect(main?.attributes["data-live-topics"]).toBe("deliveries");
      expect(first.html).toMatch(/id="failures-table" data-live-region>.*<table/s);

      const seen = [...firstLinks];
      let current = first;
      for (;;) {
        const older = links(current.parsed).find((href) => href.includes("cursor="));
        if (older === undefined) break;
        current = await page(app, older);
        seen.push(...deliveryLinks(links(current.parsed)));
      }
      expect(current.parsed.text).toContain("No older entries");
      expect(seen).toHaveLength(EVENTS * 3);
      expect(new Set(seen).size).toBe(EVENTS * 3);
    });

    test.each([
      ["by endpoint", () => `endpoint_id=${endpoint(2).id}`, EVENTS],
      ["by exact type", () => "type=fa.beta", BETAS * 3],
      ["by type and endpoint", () => `type=fa.beta&endpoint_id=${endpoint(0).id}`, BETAS],
      ["by type prefix", () => `type=fa.*&endpoint_id=${endpoint(1).id}`, EVENTS],
      ["by a time window (datetime-local, UTC)", () => window(startedAt, new Date()), 50],
    ])("filters %s", async (_name, query, expected) => {
      const result = await page(app, `/dashboard/failures?${query()}`);
      expect(result.response.status).toBe(200);
      expect(deliveryLinks(links(result.parsed))).toHaveLength(expected);
    });

    test("a window with no failures in it says none match these filters", async () => {
      const future = new Date(Date.now() + 3_600_000);
      const result = await page(app, `/dashboard/failures?since=${minute(future)}`);
      expect(result.response.status).toBe(200);
      expect(result.parsed.text).toContain("None match these filters");
      expect(deliveryLinks(links(result.parsed))).toHaveLength(0);
    });

    test("bad filters are a 422 page that says why and keeps what was typed", async () => {
      const result = await page(
        app,
        "/dashboard/failures?type=fa*x&since=yesterday&endpoint_id=no-such-endpoint",
      );
      expect(result.response.status).toBe(422);
      expect(result.parsed.text).toContain("These filters were not applied");
      expect(result.parsed.text).toContain("Event type:");
      expect(result.parsed.text).toContain("Since: expected a date and time");
      expect(result.parsed.text).toContain('no endpoint with id "no-such-endpoint"');
      const value = (name: string) =>
        result.parsed.elements.find((e) => e.attributes.name === name)?.attributes.value;
      expect(value("type")).toBe("fa*x");
      expect(value("since")).toBe("yesterday");
      expect(deliveryLinks(links(result.parsed))).toHaveLength(0);
    });

    test("until before since is refused", async () => {
      const result = await page(
        app,
        "/dashboard/failures?since=2026-11-22T10:00&until=2026-11-22T09:59",
      );
      expect(result.response.status).toBe(422);
      expect(result.parsed.text).toContain("Until: must not be before Since.");
    });

    test("a retry without the page's CSRF token, or from another site, is refused and queues nothing", async () => {
      const before = await failedCount();
      const missing = await postForm(app, "/dashboard/failures/retry/confirm", {}, sameOrigin());
      expect(missing.status).toBe(403);
      const crossSite = await postForm(
        app,
        "/dashboard/failures/retry/confirm",
        { csrf_token: session.token },
        { ...sameOrigin(), "sec-fetch-site": "cross-site" },
      );
      expect(crossSite.status).toBe(403);
      const asking = await postForm(app, "/dashboard/failures/retry", {}, sameOrigin());
      expect(asking.status).toBe(403);
      expect(await failedCount()).toBe(before);
    });

    test("a retry with bad filters is a 422 page and queues nothing", async () => {
      const before = await failedCount();
      const response = await post("/dashboard/failures/retry/confirm", { type: "*.x" });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain("These filters were not applied");
      expect(await failedCount()).toBe(before);
    });

    test("the confirmation's address opened directly goes back to the list", async () => {
      for (const path of ["/dashboard/failures/retry", "/dashboard/failures/retry/confirm"]) {
        const response = await app.request(path, { redirect: "manual" });
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("/dashboard/failures");
      }
    });

    test("the list offers Retry these with its filters", async () => {
      const result = await page(app, "/dashboard/failures?type=fa.beta");
      const form = result.parsed.elements.find(
        (e) => e.tag === "form" && e.attributes.action === "/dashboard/failures/retry",
      );
      expect(form?.attributes.method).toBe("post");
      const hidden = result.parsed.elements.filter(
        (e) => e.tag === "input" && e.attributes.type === "hidden" && e.attributes.name === "type",
      );
      expect(hidden.map((e) => e.attributes.value)).toEqual(["fa.beta"]);
    });

    test("the confirmation for a disabled endpoint's failures offers nothing to confirm", async () => {
      const response = await post("/dashboard/failures/retry", { endpoint_id: endpoint(1).id });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain(
        `${EVENTS} failed deliveries match; 0 would be retried (${EVENTS} skipped: their endpoint is disabled).`,
      );
      expect(text).not.toContain("/dashboard/failures/retry/confirm");
    });

    test("retrying one type queues exactly the count confirmed, skipping the disabled endpoint, and a second confirm queues none", async () => {
      for (const line of lines) line.hold();
      const asked = await post("/dashboard/failures/retry", { type: "fa.beta" });
      expect(asked.status).toBe(200);
      const confirmation = await asked.text();
      expect(confirmation).toContain(
        `${BETAS * 3} failed deliveries match; ${BETAS * 2} would be retried (${BETAS} skipped: their endpoint is disabled).`,
      );
      expect(confirmation).toContain('href="/dashboard/failures?type=fa.beta"');

      const confirmed = await post("/dashboard/failures/retry/confirm", { type: "fa.beta" });
      const back = await follow(app, confirmed, session);
      expect(back.location).toBe("/dashboard/failures?type=fa.beta");
      expect(back.parsed.text).toContain(
        `Queued ${BETAS * 2} deliveries; skipped ${BETAS} to disabled endpoints.`,
      );
      // The other type's failures, and the disabled endpoint's, are as they were.
      expect(await failedCount({ eventType: "fa.beta" })).toBe(BETAS);
      expect(await failedCount({ eventType: "fa.alpha" })).toBe(ALPHAS * 3);
      const pending = await app.store.deliveries.list(
        { status: "pending", endpointId: endpoint(0).id },
        { limit: 100 },
      );
      expect(pending.items).toHaveLength(BETAS);
      expect(pending.items.every((d) => d.attemptCount <= 1)).toBe(true);

      const again = await post("/dashboard/failures/retry/confirm", { type: "fa.beta" });
      const backAgain = await follow(app, again, session);
      expect(backAgain.parsed.text).toContain(
        `Queued 0 deliveries; skipped ${BETAS} to disabled endpoints.`,
      );
    });

    test("retrying with no filters queues every match, beyond the page shown", async () => {
      const retryable = ALPHAS * 2;
      const asked = await post("/dashboard/failures/retry", {});
      const confirmation = await asked.text();
      expect(confirmation).toContain(
        `${retryable + EVENTS} failed deliveries match; ${retryable} would be retried (${EVENTS} skipped: their endpoint is disabled).`,
      );
      const confirmed = await post("/dashboard/failures/retry/confirm", {});
      const back = await follow(app, confirmed, session);
      expect(back.location).toBe("/dashboard/failures");
      expect(back.parsed.text).toContain(
        `Queued ${retryable} deliveries; skipped ${EVENTS} to disabled endpoints.`,
      );
      expect(retryable).toBeGreaterThan(50);
      expect(await failedCount()).toBe(EVENTS);
      expect(await failedCount({ endpointId: endpoint(1).id })).toBe(EVENTS);
    });
  });
}

/** `since` and `until` as a datetime-local field sends them: minutes, no zone (UTC). */
function minute(date: Date): string {
  return date.toISOString().slice(0, 16);
}

function window(since: Date, untilAt: Date): string {
  // Whole minutes: `until` rounded up, so the minute it falls in is included.
  const end = new Date(Math.ceil(untilAt.getTime() / 60_000) * 60_000);
  return `since=${minute(since)}&until=${minute(end)}`;
}
