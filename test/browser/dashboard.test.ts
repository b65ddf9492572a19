/**
 * The dashboard in a real browser (Chromium through playwright-core), against the real app
 * with ADMIN_TOKEN set and seeded data: rows, links, filters, forms, and payloads built to
 * run script shown as text that runs nothing. Each page is checked on a laptop (1440×900)
 * and a phone (390×844): it fits, its menu is in reach, its controls are big enough to
 * tap, and axe-core finds nothing critical or serious. One browser for the whole file.
 * Screenshots go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import {
  browserUnavailable,
  installAxe,
  launchChromium,
  screenshot,
  watchForProblems,
} from "../support/browser.ts";
import {
  NO_PROBLEMS,
  pageProblems,
  VIEWPORTS,
  type Viewport,
  withCheckedPage,
} from "../support/dashboard-browser.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { type Outage, openStoreWithOutage } from "../support/store-outage.ts";
import { until } from "../support/until.ts";

const ADMIN_TOKEN = "browser-test-token";
const SCRIPT = "<script>window.__xss=1</script>";
const BREAKOUT = '"><img src=x onerror="window.__xss=1">';
const TIMEOUT = 30_000;
/** For a test that goes through its steps at both screen sizes, on a busy 2-core machine. */
const BOTH_SIZES_TIMEOUT = 60_000;

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

/** The seeded endpoint's receiver answers every delivery 503 with markup in the body. */
const RECEIVER_ANSWER = `<b>busy</b>${SCRIPT}`;

/**
 * A live page fetches itself again after a delivery attempt it shows; a form on it that
 * navigates away meanwhile cuts that fetch off. Harmless: the next page is read fresh.
 */

const rowCount = (page: Page) => page.locator("table.data tbody tr").count();
const xssRan = (page: Page) => page.evaluate(() => (window as { __xss?: unknown }).__xss);

let browser: Browser;
beforeAll(async () => {
  if (!browserUnavailable) browser = await launchChromium();
}, TIMEOUT);
afterAll(() => browser?.close());

describe.skipIf(browserUnavailable !== undefined)("the dashboard in a browser", () => {
  let app: TestApp;
  let receiver: Receiver;
  const outage: Outage = { down: false };
  const contexts = new Map<string, BrowserContext>();
  /** A page with a delivery attempted once (answered 503), and a relay message. */
  const seeded = { endpointId: "", deliveryId: "", relayId: "" };

  beforeAll(async () => {
    receiver = startReceiver(() => new Response(RECEIVER_ANSWER, { status: 503 }));
    app = await startTestApp("sqlite", {
      settings: {
        ADMIN_TOKEN,
        ALLOW_PRIVATE_ENDPOINTS: "true",
        // A failed attempt waits an hour: the delivery stays as the test left it.
        DELIVERY_RETRY_SCHEDULE: "1h",
      },
      openStore: openStoreWithOutage(outage),
    });
    await seed(app);
    await seedDelivery();
    for (const view of VIEWPORTS) {
      const context = await browser.newContext({
        httpCredentials: { username: "admin", password: ADMIN_TOKEN },
        viewport: { width: view.width, height: view.height },
        isMobile: view.isMobile,
      });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
      await installAxe(context);
      contexts.set(view.name, context);
    }
  }, TIMEOUT);
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
    await app?.stop();
    await receiver?.stop();
  });

  async function seedDelivery(): Promise<void> {
    const endpoint = await app.store.endpoints.create(
      {
        url: receiver.url,
        description: "Orders receiver",
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        eventTypes: ["order.*"],
        enabled: true,
      },
      new Date(),
    );
    const recorded = await app.store.events.record({
      source: "trigger",
      type: "order.created",
      occurredAt: minutes(7),
      receivedAt: minutes(7),
      payload: { order: 1 },
      headers: {},
    });
    if (recorded.status !== "stored") throw new Error("the seed event was a duplicate");
    await app.store.wake("deliveries");
    const page = await app.store.deliveries.list({ endpointId: endpoint.id }, { limit: 1 });
    const delivery = page.items[0];
    if (!delivery) throw new Error("no delivery was queued");
    await until(
      async () => (await app.store.deliveries.attempts(delivery.id)).length === 1,
      10_000,
      () => "the seeded delivery was never attempted",
    );
    const relay = await app.store.relay.accept(
      {
        status: "held",
        project: "shop",
        eventId: "evt_1",
        eventType: "order.created",
        payload: { object: "event", id: "evt_1", note: SCRIPT },
      },
      new Date(),
    );
    if (relay.status !== "stored") throw new Error("the seed relay message was a duplicate");
    Object.assign(seeded, {
      endpointId: endpoint.id,
      deliveryId: delivery.id,
      relayId: relay.message.id,
    });
  }

  /**
   * A fresh tab at `view` (default the laptop) that must finish without errors, CSP
   * violations or failed requests; `allowed` lists the error statuses a test causes on purpose.
   */
  async function withPage(
    run: (page: Page) => Promise<void>,
    view: Viewport = VIEWPORTS[0],
    allowed: readonly number[] = [],
  ): Promise<void> {
    await withCheckedPage(contexts.get(view.name) as BrowserContext, run, allowed);
  }

  /** Runs `check` on a tab at each screen size in turn. */
  async function atEachSize(
    check: (page: Page, view: Viewport) => Promise<void>,
    allowed: readonly number[] = [],
  ): Promise<void> {
    for (const view of VIEWPORTS) await withPage((page) => check(page, view), view, allowed);
  }

  async function expectNoProblems(page: Page, what: string): Promise<void> {
    expect({ what, ...(await pageProblems(page)) }).toEqual({ what, ...NO_PROBLEMS });
  }

  test(
    "the events list shows every row, and payloads as text that runs nothing",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard`);
        expect(await rowCount(page)).toBe(7);
        await expect(page.getByText(SCRIPT).first().isVisible()).resolves.toBe(true);
        await expect(page.getByRole("link", { name: BREAKOUT }).isVisible()).resolves.toBe(true);
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
    "a filter narrows the list and the form shows it applied",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard`);
        await page.selectOption("#filter-source", "github");
        await page.getByRole("button", { name: "Filter" }).click();
        await page.waitForURL(/source=github/);
        expect(await rowCount(page)).toBe(2);
        await screenshot(page, "events-filtered");
        await expect(page.locator("#filter-source").inputValue()).resolves.toBe("github");
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
    "a hook is registered through the form and deleted after confirming; each notice shows once, the URL stays clean",
    () =>
      withPage(async (page) => {
        await page.goto(`${app.url}/dashboard/hooks`);
        await page.fill("#hook-userid", "alice");
        await page.getByRole("button", { name: "Register hook" }).click();
        await page.locator(".notice").waitFor();
        expect(new URL(page.url()).search).toBe("");
        await expect(page.locator(".notice").textContent()).resolves.toBe(
          "Hook registered for alice.",
        );
        const [hook] = await app.store.hooks.list(10);
        await expect(page.getByText(`${app.url}/webhook/${hook?.id}`).isVisible()).resolves.toBe(
          true,
        );
        await screenshot(page, "hooks");
        await page.reload();
        await expect(page.locator(".notice").count()).resolves.toBe(0);

        page.once("dialog", (dialog) => dialog.accept());
        await page.getByRole("button", { name: "Delete" }).click();
        await page.getByText("Hook deleted.").waitFor();
        expect(new URL(page.url()).search).toBe("");
        expect(await app.store.hooks.list(10)).toEqual([]);
      }),
    TIMEOUT,
  );

  test(
    "an endpoint's secret is masked until revealed and copies; its edit form keeps a refused input with each field's problem, then saves",
    () =>
      atEachSize(
        async (page, view) => {
          const endpoint = await app.store.endpoints.create(
            {
              url: `http://127.0.0.1:9/${view.name}`,
              description: "Before",
              secret: `whsec_${view.name === "phone" ? "P" : "D"}fKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`,
              eventTypes: ["*"],
              enabled: true,
            },
            new Date(),
          );
          await page.goto(`${app.url}/dashboard/endpoints/${endpoint.id}`);
          const secret = page.locator(".secret-value");
          const masked = () =>
            page.evaluate(() => ({
              mask: document.querySelector(".secret-mask [aria-hidden]")?.textContent,
              secretShown:
                (document.querySelector(".secret-value") as HTMLElement).offsetHeight > 0,
            }));
          expect(await masked()).toEqual({ mask: `whsec_${"•".repeat(16)}`, secretShown: false });
          await page.getByRole("button", { name: "Reveal" }).click();
          await expect(secret.textContent()).resolves.toBe(endpoint.secret);
          expect((await masked()).secretShown).toBe(true);
          await page.getByRole("button", { name: "Hide" }).click();
          expect((await masked()).secretShown).toBe(false);
          await page.locator(".secret").getByRole("button", { name: "Copy" }).click();
          await page.getByRole("button", { name: "Copied" }).waitFor();
          expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(endpoint.secret);

          await page.getByText("Edit URL, event types and description").click();
          await page.fill("#edit-url", "ftp://example.com/hook");
          await page.fill("#edit-event_types", "task update");
          await page.fill("#edit-description", "Typed & kept");
          await page.getByRole("button", { name: "Save" }).click();
          await page.getByText("The endpoint was not saved").waitFor();
          const refused = await page.evaluate(() => {
            const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
            const text = (id: string) => document.getElementById(id)?.textContent ?? "";
            return {
              url: value("edit-url"),
              description: value("edit-description"),
              urlProblem: text("edit-url-problems"),
              typesProblem: text("edit-event_types-problems"),
              invalid: document.getElementById("edit-url")?.getAttribute("aria-invalid"),
            };
          });
          expect(refused).toEqual({
            url: "ftp://example.com/hook",
            description: "Typed & kept",
            urlProblem: expect.stringContaining("http or https"),
            typesProblem: expect.stringContaining("whitespace"),
            invalid: "true",
          });
          if (view.isMobile) await screenshot(page, "endpoint-edit-refused-phone");
          await expectNoProblems(page, `endpoint refused ${view.name}`);
          expect((await app.store.endpoints.get(endpoint.id))?.description).toBe("Before");

          await page.fill("#edit-url", `http://127.0.0.1:9/${view.name}/saved`);
          await page.fill("#edit-event_types", "task.*, github.push");
          await page.getByRole("button", { name: "Save" }).click();
          await page.getByText("Endpoint saved").waitFor();
          expect(new URL(page.url()).pathname).toBe(`/dashboard/endpoints/${endpoint.id}`);
          expect(new URL(page.url()).search).toBe("");
          expect(await app.store.endpoints.get(endpoint.id)).toMatchObject({
            url: `http://127.0.0.1:9/${view.name}/saved`,
            description: "Typed & kept",
            eventTypes: ["task.*", "github.push"],
          });
          await page.reload();
          await expect(page.getByText("Endpoint saved").count()).resolves.toBe(0);
        },
        [422],
      ),
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "a delivery's page counts the attempts it lists, and 'Redelivery queued' does not stay in the URL",
    () =>
      atEachSize(async (page, view) => {
        const path = `/dashboard/deliveries/${seeded.deliveryId}`;
        const before = (await app.store.deliveries.attempts(seeded.deliveryId)).length;
        await page.goto(`${app.url}${path}`);
        await expect(page.locator(".attempt").count()).resolves.toBe(before);
        page.once("dialog", (dialog) => dialog.accept());
        await page.getByRole("button", { name: "Redeliver" }).click();
        await page.getByText("Redelivery queued").waitFor();
        expect(new URL(page.url()).pathname).toBe(path);
        expect(new URL(page.url()).search).toBe("");
        // The page shows the new attempt live; waiting for it also lets that fetch finish
        // before the reload, which would otherwise cut it off.
        await page.locator(`#attempt-${before + 1}`).waitFor({ timeout: 10_000 });

        await page.reload();
        // One look at the page for all it says (each round trip to the browser costs).
        const shown = await page.evaluate((n) => {
          const last = document.getElementById(`attempt-${n}`);
          const answer = [
            ...(last?.querySelectorAll(".exchange")[1]?.querySelectorAll("pre") ?? []),
          ].at(-1);
          return {
            notice: document.querySelector(".notice")?.textContent ?? null,
            attempts: document.querySelectorAll(".attempt").length,
            facts: document.querySelector(".kv")?.textContent ?? "",
            answer: answer?.textContent,
            answerShown: answer instanceof HTMLElement && answer.offsetHeight > 0,
          };
        }, before + 1);
        expect(shown).toEqual({
          notice: null,
          attempts: before + 1,
          facts: expect.stringContaining(
            `Attempts${before + 1} (1 since it was last redelivered by hand)`,
          ),
          // The receiver's answer is open, as text; what was sent opens on a tap.
          answer: RECEIVER_ANSWER,
          answerShown: true,
        });
        const last = page.locator(`#attempt-${before + 1}`);
        const request = last.locator(".exchange").first();
        await request.getByText("Request sent").click();
        await expect(request.locator("p, pre").first().isVisible()).resolves.toBe(true);
        await screenshot(page, `delivery-${view.name}`);
      }),
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "every page fits the screen, keeps its menu in reach and its controls big enough to tap, and axe finds nothing critical or serious",
    () =>
      atEachSize(
        async (page, view) => {
          const pages = [
            ["events", "/dashboard"],
            ["events-filtered", "/dashboard?source=entity&q=task"],
            ["entity", "/dashboard/entities/task-1"],
            ["changes", "/dashboard/changes"],
            ["endpoints", "/dashboard/endpoints"],
            ["endpoint", `/dashboard/endpoints/${seeded.endpointId}`],
            ["delivery", `/dashboard/deliveries/${seeded.deliveryId}`],
            ["relay", "/dashboard/relay"],
            ["relay-message", `/dashboard/relay/${seeded.relayId}`],
            ["hooks", "/dashboard/hooks"],
            ["not-found", "/dashboard/nowhere"],
          ] as const;
          for (const [name, path] of pages) {
            await page.goto(`${app.url}${path}`);
            // The laptop's pages are in the other tests' screenshots; the phone's are here.
            if (view.isMobile) await screenshot(page, `${name}-phone`);
            await expectNoProblems(page, `${name} ${view.name}`);
          }
          const event = page.getByRole("link", { name: "order.created" }).first();
          await page.goto(`${app.url}/dashboard`);
          await event.click();
          await page.waitForURL(/\/dashboard\/events\//);
          await expectNoProblems(page, `event ${view.name}`);
          // Every section is one tap away, whatever the width.
          await page.getByRole("navigation", { name: "Sections" }).getByText("Hooks").click();
          await page.waitForURL(/\/dashboard\/hooks$/);
          // The skip link is the first stop for the keyboard and lands on the content.
          await page.keyboard.press("Tab");
          await expect(page.locator(":focus").textContent()).resolves.toBe("Skip to content");
          await page.keyboard.press("Enter");
          await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("main");
        },
        [404],
      ),
    2 * BOTH_SIZES_TIMEOUT,
  );

  test(
    "a database outage during a form shows the dashboard's page with the input kept, and Try again sends it",
    () =>
      atEachSize(
        async (page, view) => {
          const url = `http://127.0.0.1:9/outage-${view.name}`;
          await page.goto(`${app.url}/dashboard/endpoints`);
          await page.fill("#endpoint-url", url);
          await page.fill("#endpoint-description", "Typed during the outage");
          await page.fill("#endpoint-event_types", "order.*");
          outage.down = true;
          try {
            await page.getByRole("button", { name: "Add endpoint" }).click();
            await page.locator("h1", { hasText: "Not available right now" }).waitFor();
          } finally {
            outage.down = false;
          }
          await expect(page.locator("#retry-url").inputValue()).resolves.toBe(url);
          await expect(page.locator("#retry-description").inputValue()).resolves.toBe(
            "Typed during the outage",
          );
          await expect(page.locator("#retry-event_types").inputValue()).resolves.toBe("order.*");
          await expect(
            page.getByRole("navigation", { name: "Sections" }).isVisible(),
          ).resolves.toBe(true);
          await screenshot(page, `outage-${view.name}`);
          await expectNoProblems(page, `outage ${view.name}`);

          await page.getByRole("button", { name: "Try again" }).click();
          await page.getByText("Endpoint created.").waitFor();
          const created = (await app.store.endpoints.list()).find((e) => e.url === url);
          expect(created).toMatchObject({ description: "Typed during the outage" });
        },
        [503],
      ),
    BOTH_SIZES_TIMEOUT,
  );

  test(
    "cancelling the login prompt shows a page that asks to log in, with WWW-Authenticate still set",
    async () => {
      for (const view of VIEWPORTS) {
        // Playwright answers the challenge once with these and then cancels, as a person
        // cancelling the prompt would: the browser then shows the 401 response.
        const context = await browser.newContext({
          httpCredentials: { username: "admin", password: "not the token" },
          viewport: { width: view.width, height: view.height },
          isMobile: view.isMobile,
        });
        try {
          const page = await context.newPage();
          const response = await page.goto(`${app.url}/dashboard/hooks`);
          expect(response?.status()).toBe(401);
          expect(response?.headers()["www-authenticate"]).toStartWith("Basic ");
          await expect(page.locator("h1").textContent()).resolves.toBe("Log in to the dashboard");
          await screenshot(page, `login-${view.name}`);
          await expectNoProblems(page, `login ${view.name}`);
        } finally {
          await context.close();
        }
      }
    },
    BOTH_SIZES_TIMEOUT,
  );
});

describe.skipIf(browserUnavailable !== undefined)("the empty dashboard in a browser", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite");
  }, TIMEOUT);
  afterAll(() => app?.stop());

  test(
    "offers a curl for a first event whose Copy button copies it",
    async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
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
