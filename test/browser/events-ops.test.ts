/**
 * The events pages as an operator uses them, in a real browser: the list narrowed by a
 * type prefix and a time window, an unknown source explained, a new event appearing live
 * on the first page, and an event resent after a page that names where it goes. Each page
 * is checked at 1440×900 and 390×844 (fits, tap targets, axe). One browser for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { resend } from "../../src/recovery/service.ts";
import { EVENT_SOURCES, type NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { browserUnavailable, launchChromium, screenshot } from "../support/browser.ts";
import {
  DESKTOP,
  dashboardContexts,
  NO_PROBLEMS,
  pageProblems,
  VIEWPORTS,
  type Viewport,
  withCheckedPage,
} from "../support/dashboard-browser.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";

const ADMIN_TOKEN = "events-ops-browser-token";
const TIMEOUT = 30_000;
const BOTH_SIZES_TIMEOUT = 60_000;

if (browserUnavailable) console.warn(`skipping the browser tests: ${browserUnavailable}`);

const t0 = Date.parse("2026-11-20T08:00:00Z");

function triggered(type: string, receivedAt: Date): NewEvent {
  return { source: "trigger", type, occurredAt: receivedAt, receivedAt, payload: {}, headers: {} };
}

let browser: Browser;
beforeAll(async () => {
  if (!browserUnavailable) browser = await launchChromium();
}, TIMEOUT);
afterAll(() => browser?.close());

describe.skipIf(browserUnavailable !== undefined)("the events pages for operators", () => {
  let app: TestApp;
  let receiver: Receiver;
  let contexts = new Map<string, BrowserContext>();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    receiver = startReceiver();
    app = await startTestApp("sqlite", {
      settings: { ADMIN_TOKEN, ALLOW_PRIVATE_ENDPOINTS: "true" },
    });
    const seeds: [string, string, number][] = [
      ["created", "order.created", 1],
      ["paid", "order.paid", 2],
      ["task", "task.created", 3],
      ["orders", "orders.other", 4],
    ];
    for (const [name, type, minute] of seeds) {
      const result = await app.store.events.record(triggered(type, new Date(t0 + minute * 60_000)));
      if (result.status !== "stored") throw new Error(`seed ${name} was a duplicate`);
      ids[name] = result.event.id;
    }
    // Subscribed after the events came in: they have no deliveries until resent.
    await app.store.endpoints.create(
      {
        url: receiver.url,
        description: "Orders receiver",
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        eventTypes: ["order.*"],
        enabled: true,
      },
      new Date(),
    );
    contexts = await dashboardContexts(browser, ADMIN_TOKEN);
  }, TIMEOUT);
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
    await app?.stop();
    await receiver?.stop();
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

  const rows = (page: Page) => page.locator("table.data tbody tr");

  test(
    "a type prefix and a since time narrow the list, and the form shows them applied",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard`);
          await page.fill("#filter-type", "order.*");
          await page.fill("#filter-since", "2026-11-20T08:02");
          await page.getByRole("button", { name: "Filter" }).click();
          await page.waitForURL(/since=2026-11-20T08%3A02/);
          // order.paid only: order.created came a minute before, orders.other is no order.
          await expect(rows(page).allTextContents()).resolves.toEqual([
            expect.stringContaining("order.paid"),
          ]);
          await expect(page.locator("#filter-since").inputValue()).resolves.toBe(
            "2026-11-20T08:02",
          );
          await expectNoProblems(page, `filtered list at ${view.name}`);
          await screenshot(page, `events-ops-filtered-${view.name}`);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "an unknown source says which sources there are",
    async () => {
      for (const view of VIEWPORTS) {
        await withPage(
          view,
          async (page) => {
            const response = await page.goto(`${app.url}/dashboard?source=gitlab`);
            expect(response?.status()).toBe(422);
            await expect(page.locator(".notice-bad").textContent()).resolves.toBe(
              `There is no source "gitlab". Choose one of: ${EVENT_SOURCES.join(", ")}.`,
            );
            await expectNoProblems(page, `unknown source at ${view.name}`);
          },
          [422],
        );
      }
    },
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "a new event under the filter appears on the first page without a reload",
    () =>
      withPage(DESKTOP, async (page) => {
        await page.goto(`${app.url}/dashboard?type=order.*`);
        await page.locator("[data-live-status]", { hasText: "Live" }).waitFor();
        await page.evaluate(() => {
          (window as { __loaded?: number }).__loaded = 1;
        });
        await app.store.events.record(triggered("order.shipped", new Date()));
        await rows(page).filter({ hasText: "order.shipped" }).waitFor();
        await expect(rows(page).count()).resolves.toBe(3);
        await expect(page.evaluate(() => (window as { __loaded?: number }).__loaded)).resolves.toBe(
          1,
        );
      }),
    TIMEOUT,
  );

  test(
    "Resend asks first, naming the endpoint; Cancel sends nothing, Confirm sends and says so",
    async () => {
      const deliveries = async () =>
        (await app.store.deliveries.list({ eventId: ids.created }, { limit: 10 })).items.length;
      for (const view of VIEWPORTS) {
        await withPage(view, async (page) => {
          await page.goto(`${app.url}/dashboard/events/${ids.created}`);
          await page.getByRole("button", { name: "Resend…" }).click();
          await page.waitForURL(/\/resend$/);
          await expect(page.locator("h1").textContent()).resolves.toBe("Resend event?");
          await expect(page.locator("main").textContent()).resolves.toContain(
            `This sends event order.created (${ids.created}) again to 1 endpoint:`,
          );
          await expect(page.getByRole("link", { name: receiver.url }).isVisible()).resolves.toBe(
            true,
          );
          await expectNoProblems(page, `resend confirmation at ${view.name}`);
          await screenshot(page, `events-ops-resend-${view.name}`);
          if (view !== DESKTOP) {
            const before = await deliveries();
            await page.getByRole("link", { name: "Cancel" }).click();
            await page.waitForURL(new RegExp(`/dashboard/events/${ids.created}$`));
            expect(await deliveries()).toBe(before);
            return;
          }
          await page.getByRole("button", { name: "Confirm" }).click();
          await page.waitForURL(new RegExp(`/dashboard/events/${ids.created}$`));
          await expect(page.locator(".notice").textContent()).resolves.toBe(
            "Resent to 1 endpoint.",
          );
          expect(await deliveries()).toBe(1);
          await expect(rows(page).count()).resolves.toBe(1);

          // Once the page listens, a resend from elsewhere (the API) shows up in its list.
          await page.locator("[data-live-status]", { hasText: "Live" }).waitFor();
          await resend(app.ctx, ids.created ?? "");
          await rows(page).nth(1).waitFor();
          await rows(page).filter({ hasText: "delivered" }).first().waitFor();
          expect(await deliveries()).toBe(2);
        });
      }
    },
    BOTH_SIZES_TIMEOUT,
  );
});
