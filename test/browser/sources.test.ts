/**
 * The sources pages and an endpoint's payload filter in a real browser: the list with the
 * URL to copy, the create form showing only the chosen verifier's settings, a source's
 * page with its edit form, one of the config file read-only, a refused form, and the
 * endpoint page's filter with the page that tests it against an event. Each is checked at
 * 1440×900 and 390×844: it fits, its controls are big enough to tap, axe-core finds
 * nothing critical or serious. One browser for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { readDeclaredSources } from "../../src/sources/declared.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { browserUnavailable, launchChromium, screenshot } from "../support/browser.ts";
import {
  dashboardContexts,
  NO_PROBLEMS,
  pageProblems,
  VIEWPORTS,
  type Viewport,
  withCheckedPage,
} from "../support/dashboard-browser.ts";

const ADMIN_TOKEN = "sources-browser-token";
const TIMEOUT = 30_000;
const BOTH_SIZES_TIMEOUT = 60_000;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** As long as a name may be: its URL must wrap on a phone rather than widen the page. */
const LONG_NAME = `billing-${"x".repeat(40)}-eu`;
const SCRIPT = "<script>window.__xss=1</script>";

if (browserUnavailable) console.warn(`skipping the browser tests: ${browserUnavailable}`);

let browser: Browser;
beforeAll(async () => {
  if (!browserUnavailable) browser = await launchChromium();
}, TIMEOUT);
afterAll(() => browser?.close());

describe.skipIf(browserUnavailable !== undefined)("the sources pages in a browser", () => {
  let app: TestApp;
  let contexts = new Map<string, BrowserContext>();
  const ids = { endpoint: "", event: "" };

  beforeAll(async () => {
    app = await startTestApp("sqlite", {
      settings: { ADMIN_TOKEN, ALLOW_PRIVATE_ENDPOINTS: "true", DELIVERY_RETRY_SCHEDULE: "1h" },
      config: {
        sources: readDeclaredSources(
          { "from-config": { verifier: { type: "github", secret: "the-secret-in-the-file" } } },
          "hookyard.toml",
        ),
      },
    });
    const created = await postJson(
      app,
      "/sources",
      {
        name: LONG_NAME,
        verifier: {
          type: "hmac",
          header: "X-Billing-Signature",
          prefix: "sha256=",
          secrets: ["billing-shared-secret-0001", "billing-shared-secret-0002"],
        },
        event_type: "{{body.kind}}",
        description: `Billing, EU ${SCRIPT}`,
      },
      auth,
    );
    expect(created.status).toBe(201);
    const shop = await postJson(
      app,
      "/sources",
      { name: "shop", verifier: { type: "none" }, event_type: "{{body.kind}}" },
      auth,
    );
    expect(shop.status).toBe(201);
    const inbound = await app.request("/in/shop", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shop-topic": "orders/paid" },
      body: JSON.stringify({ kind: "order.paid", amount: 5000, note: SCRIPT }),
    });
    ids.event = ((await inbound.json()) as { event_id: string }).event_id;
    const endpoint = await postJson(
      app,
      "/endpoints",
      {
        url: "http://127.0.0.1:9/unused",
        description: "Big shop orders",
        event_types: ["shop.*"],
        filter: { amount: { $gte: 1000 }, "headers.x-shop-topic": "orders/paid" },
      },
      auth,
    );
    expect(endpoint.status).toBe(201);
    ids.endpoint = ((await endpoint.json()) as { id: string }).id;
    contexts = await dashboardContexts(browser, ADMIN_TOKEN);
  }, TIMEOUT);
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
    await app?.stop();
  });

  /** A fresh tab at `view` that must finish without errors but the statuses `allowed`. */
  async function withPage(
    view: Viewport,
    run: (page: Page) => Promise<void>,
    allowed: readonly number[] = [],
  ): Promise<void> {
    await withCheckedPage(contexts.get(view.name) as BrowserContext, run, allowed);
  }

  async function expectNoProblems(page: Page, what: string): Promise<void> {
    expect({ what, ...(await pageProblems(page)) }).toEqual({ what, ...NO_PROBLEMS });
  }

  test(
    "the list shows each source's URL with a Copy button; the form shows the chosen verifier's settings only",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard/sources`);
          const rows = page.locator("table.data tbody tr");
          await expect(rows.count()).resolves.toBe(3);
          const billing = rows.filter({ hasText: LONG_NAME });
          await expect(billing.textContent()).resolves.toContain(`${app.url}/in/${LONG_NAME}`);
          await expect(billing.getByRole("button", { name: "Copy" }).isVisible()).resolves.toBe(
            true,
          );
          await expect(rows.filter({ hasText: "from-config" }).textContent()).resolves.toContain(
            "config file (read-only here)",
          );
          await expectNoProblems(page, `sources list ${view.name}`);
          await screenshot(page, `sources-list-${view.name}`);

          await page.getByText("Add a source").click();
          const header = page.locator("#source-header");
          const username = page.locator("#source-username");
          // Nothing chosen yet: no verifier's own settings.
          await expect(header.isVisible()).resolves.toBe(false);
          await page.selectOption("#source-verifier_type", "hmac");
          await expect(header.isVisible()).resolves.toBe(true);
          await expect(username.isVisible()).resolves.toBe(false);
          await expect(page.locator("#source-secrets").isVisible()).resolves.toBe(true);
          await expectNoProblems(page, `create form, hmac, ${view.name}`);
          await screenshot(page, `sources-create-form-${view.name}`);
          await page.selectOption("#source-verifier_type", "none");
          await expect(page.locator("#source-secrets").isVisible()).resolves.toBe(false);
          await expect(header.isVisible()).resolves.toBe(false);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "a source created through the form lands on its page; a refused one comes back marked",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(
          view,
          async (page) => {
            await page.goto(`${app.url}/dashboard/sources`);
            await page.getByText("Add a source").click();
            await page.fill("#source-name", "Not A Name");
            await page.selectOption("#source-verifier_type", "api-key");
            await page.fill("#source-secrets", "a-key-of-some-length");
            await page.getByRole("button", { name: "Add source" }).click();
            await page.locator(".notice-bad").first().waitFor();
            await expect(page.locator("#source-name-problems").textContent()).resolves.toContain(
              "must be 1-63 characters",
            );
            await expect(page.locator("#source-header-problems").textContent()).resolves.toContain(
              "required",
            );
            await expect(page.locator("#source-secrets").inputValue()).resolves.toBe(
              "a-key-of-some-length",
            );
            await expectNoProblems(page, `refused create ${view.name}`);
            await screenshot(page, `sources-refused-${view.name}`);

            const name = `stripe-${view.name}`;
            await page.fill("#source-name", name);
            await page.selectOption("#source-verifier_type", "stripe");
            await page.fill("#source-secrets", "whsec_a_stripe_secret_of_enough_length");
            await page.getByRole("button", { name: "Add source" }).click();
            await page.waitForURL(new RegExp(`/dashboard/sources/${name}$`));
            await expect(page.locator(".notice-ok").textContent()).resolves.toContain(
              "Source created.",
            );
            await expect(page.locator("main").textContent()).resolves.toContain(
              "whsec_…ngth (masked)",
            );
            await expectNoProblems(page, `created source ${view.name}`);
          },
          [422],
        );
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "a source's page shows its settings, events and edit form; one of the config file is read-only",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard/sources/${LONG_NAME}`);
          await expect(page.locator("main").textContent()).resolves.toContain(
            `Billing, EU ${SCRIPT}`,
          );
          await expectNoProblems(page, `source page ${view.name}`);
          await page.getByText("Edit the verifier, event type and description").click();
          await expect(page.locator("#edit-header").inputValue()).resolves.toBe(
            "X-Billing-Signature",
          );
          await expect(page.locator("#edit-username").isVisible()).resolves.toBe(false);
          await expectNoProblems(page, `source edit form ${view.name}`);
          await screenshot(page, `source-page-${view.name}`);

          await page.goto(`${app.url}/dashboard/sources/shop`);
          await expect(page.locator("table.data").textContent()).resolves.toContain(
            "shop.order.paid",
          );
          await expectNoProblems(page, `source with events ${view.name}`);

          await page.goto(`${app.url}/dashboard/sources/from-config`);
          await expect(page.locator(".notice-info").textContent()).resolves.toContain(
            "read-only here",
          );
          await expect(page.locator("#edit").count()).resolves.toBe(0);
          await expectNoProblems(page, `config source ${view.name}`);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "an endpoint's filter is shown and tested against an event on a page of its own",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard/endpoints/${ids.endpoint}`);
          await expect(page.locator("main").textContent()).resolves.toContain('"$gte": 1000');
          await page.getByText("Edit URL, event types and description").click();
          await expect(page.locator("#edit-filter").inputValue()).resolves.toContain(
            '"headers.x-shop-topic": "orders/paid"',
          );
          await expectNoProblems(page, `endpoint with filter ${view.name}`);
          await page.fill("#filter-test-event", ids.event);
          await page.getByRole("button", { name: "Test", exact: true }).click();
          await page.waitForURL(/\/filter-test\?event_id=/);
          await expect(page.locator(".notice-ok").textContent()).resolves.toContain(
            "Taken: event shop.order.paid matches",
          );
          await expectNoProblems(page, `filter test ${view.name}`);
          await screenshot(page, `filter-test-${view.name}`);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "the events list offers the sources in its Source filter",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard`);
          await page.selectOption("#filter-source", "shop");
          await page.getByRole("button", { name: "Filter" }).click();
          await page.waitForURL(/source=shop/);
          await expect(page.locator("table.data tbody tr").count()).resolves.toBe(1);
          await expectNoProblems(page, `events of a source ${view.name}`);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );
});
