/**
 * Endpoint health and recovery in a real browser: the endpoints list with a failing
 * endpoint (red, first, the word beside the colour), its page with the health summary
 * and the recovery forms, and the page that counts failed deliveries before queueing
 * them. Each is checked at 1440×900 and 390×844: it fits, its controls are big enough to
 * tap, axe-core finds nothing critical or serious. One browser for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import {
  browserUnavailable,
  launchChromium,
  screenshot,
  watchForProblems,
} from "../support/browser.ts";
import {
  dashboardContexts,
  NO_PROBLEMS,
  pageProblems,
  VIEWPORTS,
  type Viewport,
} from "../support/dashboard-browser.ts";
import { ok, type Receiver, startReceiver, status } from "../support/receiver.ts";
import { until } from "../support/until.ts";

const ADMIN_TOKEN = "endpoint-ops-token";
const TIMEOUT = 60_000;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

if (browserUnavailable) console.warn(`skipping the browser tests: ${browserUnavailable}`);

let browser: Browser;
beforeAll(async () => {
  if (!browserUnavailable) browser = await launchChromium();
}, TIMEOUT);
afterAll(() => browser?.close());

describe.skipIf(browserUnavailable !== undefined)(
  "endpoint health and recovery in a browser",
  () => {
    let app: TestApp;
    let down: Receiver;
    let up: Receiver;
    let contexts = new Map<string, BrowserContext>();
    const seeded = { failing: "", healthy: "" };

    beforeAll(async () => {
      down = startReceiver(() => status(500));
      up = startReceiver(ok);
      app = await startTestApp("sqlite", {
        settings: {
          ADMIN_TOKEN,
          ALLOW_PRIVATE_ENDPOINTS: "true",
          // Two attempts, then failed: the failing endpoint's deliveries settle at once.
          DELIVERY_RETRY_SCHEDULE: "50ms",
        },
      });
      const create = async (url: string, description: string) => {
        const response = await postJson(
          app,
          "/endpoints",
          { url, description, event_types: ["order.*"] },
          auth,
        );
        return ((await response.json()) as { id: string }).id;
      };
      // The healthy one is older: it comes first unless failing ones are put first.
      seeded.healthy = await create(up.url, "Warehouse");
      seeded.failing = await create(down.url, "Billing, down since this morning");
      for (let i = 0; i < 3; i++) await postJson(app, "/trigger/order.created", { i }, auth);
      await until(
        async () =>
          (
            await app.store.deliveries.list(
              { endpointId: seeded.failing, status: "failed" },
              { limit: 5 },
            )
          ).items.length === 3,
        10_000,
        () => "the failing endpoint's deliveries never failed",
      );
      contexts = await dashboardContexts(browser, ADMIN_TOKEN);
    }, TIMEOUT);
    afterAll(async () => {
      for (const context of contexts.values()) await context.close();
      await app?.stop();
      await down?.stop();
      await up?.stop();
    });

    async function atEachSize(check: (page: Page, view: Viewport) => Promise<void>): Promise<void> {
      for (const view of VIEWPORTS) {
        const page = await (contexts.get(view.name) as BrowserContext).newPage();
        const watch = watchForProblems(page);
        try {
          await check(page, view);
          expect(watch.problems).toEqual([]);
        } finally {
          await page.close();
        }
      }
    }

    async function expectNoProblems(page: Page, what: string): Promise<void> {
      expect({ what, ...(await pageProblems(page)) }).toEqual({ what, ...NO_PROBLEMS });
    }

    test(
      "the list puts the failing endpoint first, in red and in words, with its numbers",
      () =>
        atEachSize(async (page, view) => {
          await page.goto(`${app.url}/dashboard/endpoints`);
          const rows = page.locator("table.data tbody tr");
          await expect(rows.count()).resolves.toBe(2);
          const first = rows.first();
          await expect(first.textContent()).resolves.toContain(down.url);
          const badge = first.locator(".badge", { hasText: "failing" });
          await expect(badge.isVisible()).resolves.toBe(true);
          const colours = await badge.evaluate((el) => getComputedStyle(el).backgroundColor);
          const healthyColours = await rows
            .nth(1)
            .locator(".badge", { hasText: "healthy" })
            .evaluate((el) => getComputedStyle(el).backgroundColor);
          expect(colours).not.toBe(healthyColours);
          await expect(first.textContent()).resolves.toContain("3 failed");
          await screenshot(page, `endpoint-health-list-${view.name}`);
          await expectNoProblems(page, `endpoints ${view.name}`);
        }),
      TIMEOUT,
    );

    test(
      "the endpoint's page shows its health, and its recover form leads to a count to confirm",
      () =>
        atEachSize(async (page, view) => {
          await page.goto(`${app.url}/dashboard/endpoints/${seeded.failing}`);
          await expect(page.locator("#endpoint-health").textContent()).resolves.toContain(
            "Failures in a row6",
          );
          await expectNoProblems(page, `endpoint ${view.name}`);
          await page.getByText("Recover failed deliveries…").click();
          await expectNoProblems(page, `endpoint, recover form open, ${view.name}`);
          await screenshot(page, `endpoint-health-page-${view.name}`);
          await page.getByRole("button", { name: "Count failed deliveries…" }).click();
          await page.waitForURL(/\/recover$/);
          await expect(page.locator(".recovery-count").textContent()).resolves.toContain(
            `3 failed deliveries to ${down.url}`,
          );
          await expectNoProblems(page, `recover confirmation ${view.name}`);
          await screenshot(page, `endpoint-recover-confirm-${view.name}`);
          if (view !== VIEWPORTS.at(-1)) return;
          // Once, at the last size: queue them, with the receiver back up.
          down.respond = ok;
          await page.getByRole("button", { name: "Confirm: queue 3" }).click();
          await page.waitForURL(new RegExp(`/dashboard/endpoints/${seeded.failing}$`));
          await expect(page.locator(".notice").first().textContent()).resolves.toContain(
            "Queued 3 deliveries",
          );
          await down.waitFor(3 * 2 + 3);
          down.respond = () => status(500);
        }),
      TIMEOUT,
    );
  },
);
