/**
 * The Failures page in a real browser (Chromium through playwright-core): failed
 * deliveries listed, "Retry these" asking for confirmation with the counts, and Confirm
 * coming back with its notice. Each page is checked on a laptop (1440×900) and a phone
 * (390×844): it fits, its controls are big enough to tap, and axe-core finds nothing
 * critical or serious. One browser for the whole file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { browserUnavailable, launchChromium, screenshot } from "../support/browser.ts";
import {
  dashboardContexts,
  NO_PROBLEMS,
  pageProblems,
  VIEWPORTS,
  withCheckedPage,
} from "../support/dashboard-browser.ts";
import { type Receiver, startReceiver, status } from "../support/receiver.ts";
import { until } from "../support/until.ts";

const ADMIN_TOKEN = "browser-test-token";
const TIMEOUT = 60_000;
/** Long enough to test how a type wraps on a phone. */
const LONG_TYPE = "billing.invoice.payment_failed_after_every_retry_was_spent";
const SCRIPT = "<script>window.__xss=1</script>";

if (browserUnavailable) console.warn(`skipping the browser tests: ${browserUnavailable}`);

describe.skipIf(browserUnavailable !== undefined)("the Failures page in a browser", () => {
  let browser: Browser;
  let app: TestApp;
  let receiver: Receiver;
  let contexts = new Map<string, BrowserContext>();

  beforeAll(async () => {
    browser = await launchChromium();
    receiver = startReceiver(() => status(500));
    app = await startTestApp("sqlite", {
      settings: {
        ADMIN_TOKEN,
        ALLOW_PRIVATE_ENDPOINTS: "true",
        // One retry 20 ms after the first attempt, then failed.
        DELIVERY_RETRY_SCHEDULE: "20ms",
      },
    });
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const ids: string[] = [];
    for (const path of ["/hook?team=billing&region=eu-west-1", "/hook?team=orders"]) {
      const response = await postJson(
        app,
        "/endpoints",
        { url: `${receiver.url}${path}`, event_types: ["billing.*", "order.*"] },
        auth,
      );
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    for (const type of [LONG_TYPE, "order.created", "order.paid"]) {
      const response = await postJson(app, `/trigger/${type}`, { note: SCRIPT }, auth);
      expect(response.status).toBe(202);
    }
    const failed = async () =>
      (await app.store.deliveries.list({ status: "failed" }, { limit: 10 })).items.length;
    await until(
      async () => (await failed()) === 6,
      10_000,
      async () => `${await failed()} failed`,
    );
    const disabled = await app.request(`/endpoints/${ids[1]}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ enabled: false }),
    });
    expect(disabled.status).toBe(200);
    contexts = await dashboardContexts(browser, ADMIN_TOKEN);
  }, TIMEOUT);
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
    await browser?.close();
    await app?.stop();
    await receiver?.stop();
  });

  async function withPage(run: (page: Page) => Promise<void>, viewName: string) {
    await withCheckedPage(contexts.get(viewName) as BrowserContext, run);
  }

  async function expectNoProblems(page: Page, what: string): Promise<void> {
    expect({ what, ...(await pageProblems(page)) }).toEqual({ what, ...NO_PROBLEMS });
  }

  test(
    "the list and the confirmation fit the screen and pass axe at both sizes",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(async (page) => {
          await page.goto(`${app.url}/dashboard/failures`);
          await expect(page.locator("table.data tbody tr").count()).resolves.toBe(6);
          await expect(page.getByText(LONG_TYPE).first().isVisible()).resolves.toBe(true);
          await expectNoProblems(page, `failures list (${view.name})`);
          await screenshot(page, `failures-${view.name}`);

          await page.getByRole("button", { name: "Retry these…" }).click();
          await page.waitForURL("**/dashboard/failures/retry");
          await expect(page.locator("main").textContent()).resolves.toContain(
            "6 failed deliveries match; 3 would be retried (3 skipped: their endpoint is disabled).",
          );
          await expectNoProblems(page, `retry confirmation (${view.name})`);
          await screenshot(page, `failures-confirm-${view.name}`);

          await page.getByRole("link", { name: "Cancel" }).click();
          await page.waitForURL("**/dashboard/failures");
        }, view.name);
      }
    },
    TIMEOUT,
  );

  test(
    "filtering, then confirming, queues the filtered failures and says so once",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard/failures`);
        await page.getByLabel("Event type").fill("order.*");
        await page.getByRole("button", { name: "Filter" }).click();
        await page.waitForURL((url) => url.searchParams.get("type") === "order.*");
        await expect(page.locator("table.data tbody tr").count()).resolves.toBe(4);
        await page.getByRole("button", { name: "Retry these…" }).click();
        await expect(page.locator("main").textContent()).resolves.toContain(
          "4 failed deliveries match; 2 would be retried (2 skipped: their endpoint is disabled).",
        );
        await page.getByRole("button", { name: "Confirm: retry 2 deliveries" }).click();
        await page.waitForURL((url) => url.pathname === "/dashboard/failures");
        expect(new URL(page.url()).searchParams.get("type")).toBe("order.*");
        const notice = page.getByText("Queued 2 deliveries; skipped 2 to disabled endpoints.");
        await expect(notice.isVisible()).resolves.toBe(true);
        await expectNoProblems(page, "failures after a retry");
      }, "phone"),
    TIMEOUT,
  );
});
