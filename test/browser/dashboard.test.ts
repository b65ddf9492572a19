/**
 * The dashboard in a real browser (Chromium through playwright-core), against the real app
 * with ADMIN_TOKEN set and seeded data: rows, links, filters, forms, and payloads built to
 * run script shown as text that runs nothing. Screenshots go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  browserUnavailable,
  launchChromium,
  screenshot,
  scrollsSideways,
  watchForProblems,
} from "../support/browser.ts";

const ADMIN_TOKEN = "browser-test-token";
const SCRIPT = "<script>window.__xss=1</script>";
const BREAKOUT = '"><img src=x onerror="window.__xss=1">';
const TIMEOUT = 30_000;

if (browserUnavailable) console.warn(`skipping the browser tests: ${browserUnavailable}`);

const t0 = Date.parse("2026-11-20T08:00:00Z");
const minutes = (n: number) => new Date(t0 + n * 60_000);

function entityEvent(
  entityId: string,
  action: "create" | "update",
  minute: number,
  fields: Record<string, unknown>,
): NewEvent {
  return {
    source: "entity",
    type: `task.${action}`,
    entityType: "task",
    entityId,
    action,
    occurredAt: minutes(minute),
    receivedAt: minutes(minute),
    payload: {
      action,
      entity_type: "task",
      time: minutes(minute).toISOString(),
      ...(action === "update" ? { id: entityId, modified_fields: Object.keys(fields) } : {}),
      payload: fields,
    },
    headers: { "user-agent": "backend/1.0", "content-type": "application/json" },
  };
}

async function seed(app: TestApp): Promise<void> {
  const events: NewEvent[] = [
    entityEvent("task-1", "create", 1, { id: "task-1", name: "Write docs", done: false }),
    entityEvent("task-1", "update", 2, { done: true }),
    entityEvent("25589645-cd89-44bb-8954-6b4ee87aa57f", "create", 3, {
      id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
      name: "image name",
      file_type: "jpeg",
    }),
    {
      source: "github",
      type: "github.push",
      occurredAt: minutes(4),
      receivedAt: minutes(4),
      payload: { ref: "refs/heads/main", repository: { full_name: "octo/app" } },
      headers: { "x-github-event": "push", "x-github-delivery": "72d3162e" },
    },
    entityEvent(BREAKOUT, "create", 5, { id: BREAKOUT, title: SCRIPT, note: BREAKOUT }),
  ];
  for (const event of events) await app.store.events.record(event);
  await app.store.events.record(
    {
      ...events[3],
      occurredAt: minutes(6),
      receivedAt: minutes(6),
      payload: {},
      headers: {},
    } as NewEvent,
    {
      change: {
        ts: "2026-11-20T08:06:00Z",
        source: "github",
        change_type: "push",
        data: {
          repository: "octo/app",
          branch: "main",
          commit: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
          author: "Mona Lisa <mona@example.com>",
          message: `Escape payloads ${SCRIPT}`,
        },
      },
    },
  );
}

const rowCount = (page: Page) => page.locator("table.data tbody tr").count();
const xssRan = (page: Page) => page.evaluate(() => (window as { __xss?: unknown }).__xss);

describe.skipIf(browserUnavailable !== undefined)("the dashboard in a browser", () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN } });
    await seed(app);
    browser = await launchChromium();
    context = await browser.newContext({
      httpCredentials: { username: "admin", password: ADMIN_TOKEN },
      viewport: { width: 1280, height: 800 },
    });
  }, TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A fresh tab that must finish without errors, CSP violations or failed requests. */
  async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
    const page = await context.newPage();
    const watch = watchForProblems(page);
    try {
      await run(page);
      expect(await xssRan(page)).toBeUndefined();
      expect(watch.problems).toEqual([]);
    } finally {
      await page.close();
    }
  }

  test(
    "the events list shows every row, and payloads as text that runs nothing",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard`);
        expect(await rowCount(page)).toBe(6);
        await expect(page.getByText(SCRIPT).first().isVisible()).resolves.toBe(true);
        await expect(page.getByRole("link", { name: BREAKOUT }).isVisible()).resolves.toBe(true);
        await expect(page.locator("[data-refresh-toggle]").textContent()).resolves.toBe(
          "Auto-refresh: on (5 s)",
        );
        await screenshot(page, "events");
      }),
    TIMEOUT,
  );

  test(
    "a row's link opens the event, and its entity link the entity's timeline and state",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard`);
        const row = page.locator("table.data tbody tr", { hasText: BREAKOUT });
        await row.getByRole("link", { name: "task.create" }).click();
        await page.waitForURL(/\/dashboard\/events\//);
        await expect(page.locator("h1").textContent()).resolves.toBe("Event task.create");
        await expect(page.locator("pre.code").first().textContent()).resolves.toContain(
          `"title": ${JSON.stringify(SCRIPT)}`,
        );
        expect(await xssRan(page)).toBeUndefined();
        await screenshot(page, "event");

        await page.locator(".kv").getByRole("link", { name: BREAKOUT }).click();
        await page.waitForURL(/\/dashboard\/entities\//);
        await expect(page.locator("h1").textContent()).resolves.toBe(`Entity ${BREAKOUT}`);
        await expect(page.locator("pre.code").first().textContent()).resolves.toContain(SCRIPT);
        await screenshot(page, "entity-xss");

        await page.goto(`${app.url}/dashboard/entities/task-1`);
        expect(await rowCount(page)).toBe(2);
        await expect(page.locator("pre.code").first().textContent()).resolves.toContain(
          '"done": true',
        );
        await screenshot(page, "entity");
      }),
    TIMEOUT,
  );

  test(
    "a filter narrows the list and is still applied after the auto-refresh reloads it",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard`);
        await page.selectOption("#filter-source", "github");
        await page.getByRole("button", { name: "Filter" }).click();
        await page.waitForURL(/source=github/);
        expect(await rowCount(page)).toBe(2);
        await screenshot(page, "events-filtered");

        // The list reloads itself (app.js) five seconds on; the URL, and so the filter, stays.
        await page.waitForEvent("load", { timeout: 15_000 });
        expect(page.url()).toContain("source=github");
        await expect(page.locator("#filter-source").inputValue()).resolves.toBe("github");
        expect(await rowCount(page)).toBe(2);
      }),
    TIMEOUT,
  );

  test(
    "the changes page lists the change with its short commit",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard/changes`);
        expect(await rowCount(page)).toBe(1);
        await expect(page.getByRole("link", { name: "6dcb09b" }).isVisible()).resolves.toBe(true);
        await expect(page.getByText(`Escape payloads ${SCRIPT}`).isVisible()).resolves.toBe(true);
        await screenshot(page, "changes");
      }),
    TIMEOUT,
  );

  test(
    "a hook is registered through the form and deleted after confirming",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard/hooks`);
        await page.fill("#hook-userid", "alice");
        await page.getByRole("button", { name: "Register hook" }).click();
        await page.waitForURL(/\?created=/);
        await expect(page.locator(".notice").textContent()).resolves.toBe(
          "Hook registered for alice.",
        );
        const [hook] = await app.store.hooks.list(10);
        await expect(page.getByText(`${app.url}/webhook/${hook?.id}`).isVisible()).resolves.toBe(
          true,
        );
        await screenshot(page, "hooks");

        page.once("dialog", (dialog) => dialog.accept());
        await page.getByRole("button", { name: "Delete" }).click();
        await page.waitForURL(/\?deleted=1/);
        expect(await app.store.hooks.list(10)).toEqual([]);
      }),
    TIMEOUT,
  );

  test(
    "on a 390 px wide phone no page scrolls sideways",
    async () => {
      const phone = await browser.newContext({
        httpCredentials: { username: "admin", password: ADMIN_TOKEN },
        viewport: { width: 390, height: 844 },
        isMobile: true,
      });
      await app.store.hooks.create("bob", new Date());
      try {
        const page = await phone.newPage();
        for (const [name, path] of [
          ["events", "/dashboard"],
          ["entity", "/dashboard/entities/task-1"],
          ["changes", "/dashboard/changes"],
          ["hooks", "/dashboard/hooks"],
        ] as const) {
          await page.goto(`${app.url}${path}`);
          await screenshot(page, `${name}-phone`);
          expect({ name, sideways: await scrollsSideways(page) }).toEqual({
            name,
            sideways: false,
          });
        }
        await page.goto(`${app.url}/dashboard`);
        await page.getByRole("link", { name: "task.create" }).first().click();
        await page.waitForURL(/\/dashboard\/events\//);
        await screenshot(page, "event-phone");
        expect(await scrollsSideways(page)).toBe(false);
      } finally {
        await phone.close();
      }
    },
    TIMEOUT,
  );
});

describe.skipIf(browserUnavailable !== undefined)("the empty dashboard in a browser", () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startTestApp("sqlite");
    browser = await launchChromium();
  }, TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  test(
    "offers a curl for a first event whose Copy button copies it",
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
      const page = await context.newPage();
      const watch = watchForProblems(page);
      await page.goto(`${app.url}/dashboard`);
      await expect(page.getByText("No events yet").isVisible()).resolves.toBe(true);
      const command = await page.locator(".empty-state pre").textContent();
      expect(command).toContain(`${app.url}/webhooks/event`);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByRole("button", { name: "Copied" }).waitFor({ state: "visible" });
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command ?? "");
      await screenshot(page, "events-empty");
      expect(watch.problems).toEqual([]);
      await context.close();
    },
    TIMEOUT,
  );
});
