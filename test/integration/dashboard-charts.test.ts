import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EventSource } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { page } from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { until } from "../support/until.ts";
import type { ParsedHtml } from "../unit/dashboard/parse-html.ts";

const MINUTE = 60_000;
const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';

/** The chart's image: an <svg role="img"> named by its title and description. */
function chartImage(parsed: ParsedHtml, id: string) {
  return parsed.elements.find(
    (e) => e.tag === "svg" && e.attributes["aria-labelledby"] === `${id}-title ${id}-desc`,
  );
}

for (const dialect of dialects) {
  describe(`dashboard charts (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;

    beforeAll(async () => {
      app = await startTestApp(dialect, {
        // A failure waits an hour for its retry: it stays "retrying" while the page is read.
        settings: { ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
      });
      receiver = startReceiver((request) =>
        request.body.includes("chart.bad")
          ? new Response("no", { status: 500 })
          : new Response("ok"),
      );
    });
    afterAll(async () => {
      await receiver.stop();
      await app.stop();
    });

    const record = (source: EventSource, type: string, minutesAgo: number) => {
      const at = new Date(Date.now() - minutesAgo * MINUTE);
      return app.store.events.record({
        source,
        type,
        occurredAt: at,
        receivedAt: at,
        payload: { type, note: HOSTILE },
        headers: {},
      });
    };

    test("the events page charts the last 24 hours' events by source, with their totals in text", async () => {
      for (let i = 0; i < 3; i++) await record("github", "push", 5);
      for (let i = 0; i < 2; i++) await record("entity", "task.created", 90);
      await record("trigger", "old.one", 25 * 60); // before the window
      const { response, parsed } = await page(app, "/dashboard");
      expect(response.status).toBe(200);
      expect(chartImage(parsed, "events-chart")?.attributes.role).toBe("img");
      expect(parsed.text).toContain("5 events in 24 h: github 3, entity 2; peak 3/min at");
      expect(parsed.text).toContain("github: 3");
      expect(parsed.text).toContain("entity: 2");
      expect(parsed.text).toContain("trigger: 0");
      expect(parsed.tags).not.toContain("img");
    });

    test("an endpoint page charts its deliveries by outcome and its success rate", async () => {
      const endpoint = await app.store.endpoints.create(
        {
          url: receiver.url,
          description: "charted",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["chart.*"],
          enabled: true,
        },
        new Date(),
      );
      for (let i = 0; i < 3; i++) await record("trigger", "chart.good", 1);
      await record("trigger", "chart.bad", 1);
      await app.ctx.store.wake("deliveries");
      await until(
        async () => {
          const page = await app.store.deliveries.list({ endpointId: endpoint.id }, { limit: 10 });
          return page.items.every((d) => d.attemptCount > 0) && page.items.length === 4;
        },
        10_000,
        () => "the four deliveries were not all attempted",
      );
      const { response, parsed } = await page(app, `/dashboard/endpoints/${endpoint.id}`);
      expect(response.status).toBe(200);
      expect(chartImage(parsed, "endpoint-chart")?.attributes.role).toBe("img");
      expect(parsed.text).toContain("4 deliveries in 24 h: delivered 3, retrying 1;");
      expect(parsed.text).toContain("success rate 75%");
      expect(parsed.text).toContain("failed: 0");
    });

    test("an endpoint with no deliveries says so instead of drawing an empty chart", async () => {
      const quiet = await app.store.endpoints.create(
        {
          url: receiver.url,
          description: "quiet",
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          eventTypes: ["nothing.*"],
          enabled: true,
        },
        new Date(),
      );
      const { parsed } = await page(app, `/dashboard/endpoints/${quiet.id}`);
      expect(chartImage(parsed, "endpoint-chart")).toBeUndefined();
      expect(parsed.text).toContain("No deliveries in the last 24 hours.");
    });
  });
}
