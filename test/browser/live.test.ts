/**
 * Live pages in a real browser: a page that listens (here the changes page) shows what
 * is stored after it loaded, without reloading: the rest of the page, and anything a
 * script set on it, stay as they were.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext } from "playwright-core";
import { encodeCursor } from "../../src/store/cursor.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { browserUnavailable, launchChromium } from "../support/browser.ts";
import { DESKTOP } from "../support/dashboard-browser.ts";

const ADMIN_TOKEN = "live-browser-token";
const TIMEOUT = 30_000;

function push(commit: string, message: string): [NewEvent, { change: unknown }] {
  const now = new Date();
  return [
    {
      source: "github",
      type: "github.push",
      occurredAt: now,
      receivedAt: now,
      payload: { ref: "refs/heads/main", repository: { full_name: "octo/live" } },
      headers: { "x-github-event": "push" },
    },
    {
      change: {
        ts: now.toISOString(),
        source: "github",
        change_type: "push",
        data: { repository: "octo/live", branch: "main", commit, author: "Mona", message },
      },
    },
  ];
}

let browser: Browser;
beforeAll(async () => {
  if (!browserUnavailable) browser = await launchChromium();
}, TIMEOUT);
afterAll(() => browser?.close());

describe.skipIf(browserUnavailable !== undefined)("live pages in a browser", () => {
  let app: TestApp;
  let context: BrowserContext;

  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN } });
    await app.store.events.record(...push("1111111aaaaaaa", "The first change"));
    context = await browser.newContext({
      httpCredentials: { username: "admin", password: ADMIN_TOKEN },
      viewport: { width: DESKTOP.width, height: DESKTOP.height },
    });
  }, TIMEOUT);
  afterAll(async () => {
    await context?.close();
    await app?.stop();
  });

  test(
    "a change stored after the page loaded appears in its table, with no reload",
    async () => {
      const page = await context.newPage();
      await page.goto(`${app.url}/dashboard/changes`);
      await page.locator("[data-live-status]", { hasText: "Live" }).waitFor();
      await page.evaluate(() => {
        (window as { __loaded?: number }).__loaded = 1;
      });
      await expect(page.locator("table.data tbody tr").count()).resolves.toBe(1);

      await app.store.events.record(...push("2222222bbbbbbb", "The second change"));
      await page.locator("table.data tbody tr", { hasText: "The second change" }).waitFor();
      await expect(page.locator("table.data tbody tr").count()).resolves.toBe(2);
      // The same document: a reload would have cleared what the script set.
      await expect(page.evaluate(() => (window as { __loaded?: number }).__loaded)).resolves.toBe(
        1,
      );
      await page.close();
    },
    TIMEOUT,
  );

  test(
    "a later page, which a new change does not alter, does not listen",
    async () => {
      const page = await context.newPage();
      await page.goto(`${app.url}/dashboard/changes`);
      await expect(page.locator("main").getAttribute("data-live-topics")).resolves.toBe("events");
      await page.goto(`${app.url}/dashboard/changes?cursor=${encodeCursor({ id: 1 })}`);
      await expect(page.locator("main").getAttribute("data-live-topics")).resolves.toBeNull();
      await expect(page.locator("[data-live-status]").count()).resolves.toBe(0);
      await page.close();
    },
    TIMEOUT,
  );
});
