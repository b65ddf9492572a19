/**
 * What the dashboard's browser tests check on every page, at each screen size: that it
 * fits the screen, that its menu is in reach, that every control is big enough to tap,
 * and what axe-core finds. Each check answers a list of what is wrong, empty when
 * nothing is, so a failure names the page and the elements.
 */

import { expect } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { axeFindings, installAxe, retryOnPlaywrightRace, watchForProblems } from "./browser.ts";

export interface Viewport {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly isMobile: boolean;
}

export const DESKTOP: Viewport = { name: "desktop", width: 1440, height: 900, isMobile: false };
export const PHONE: Viewport = { name: "phone", width: 390, height: 844, isMobile: true };
export const VIEWPORTS = [DESKTOP, PHONE] as const;

/**
 * A browser context per screen size, logged in to the dashboard with `password` and with
 * axe-core installed, by the size's name; close each when done.
 */
export async function dashboardContexts(
  browser: Browser,
  password: string,
): Promise<Map<string, BrowserContext>> {
  const contexts = new Map<string, BrowserContext>();
  for (const view of VIEWPORTS) {
    const context = await browser.newContext({
      httpCredentials: { username: "admin", password },
      viewport: { width: view.width, height: view.height },
      isMobile: view.isMobile,
    });
    await installAxe(context);
    contexts.set(view.name, context);
  }
  return contexts;
}

/** WCAG 2.2's minimum target size (2.5.8), in CSS pixels. */
export const MIN_TARGET_PX = 24;

/**
 * What sticks out past the window's right edge (the page itself, a table, a menu entry),
 * and controls smaller than 24 × 24 px. Links inside a sentence are exempt from the size,
 * as WCAG exempts them (their size is the text's); so is the skip link until it is
 * focused (it waits above the top edge). One round trip to the page for both.
 */
export function layoutProblems(
  page: Page,
): Promise<{ overflow: string[]; smallTargets: string[] }> {
  return page.evaluate((min) => {
    const width = document.documentElement.clientWidth;
    const overflow: string[] = [];
    if (document.documentElement.scrollWidth > width) {
      overflow.push(`the page is ${document.documentElement.scrollWidth}px wide`);
    }
    for (const table of document.querySelectorAll("table")) {
      const box = table.getBoundingClientRect();
      if (box.right > width + 0.5) overflow.push(`a table reaches ${Math.round(box.right)}px`);
    }
    for (const link of document.querySelectorAll(".topbar a")) {
      const box = link.getBoundingClientRect();
      if (box.left < 0 || box.right > width + 0.5) {
        overflow.push(`the menu entry "${link.textContent}" is off screen`);
      }
    }

    const inSentence = (element: Element) => {
      const own = element.textContent?.trim() ?? "";
      const around = element.parentElement?.textContent?.trim() ?? "";
      return getComputedStyle(element).display === "inline" && around.length > own.length;
    };
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const smallTargets = [...document.querySelectorAll(selector)].flatMap((element) => {
      const box = element.getBoundingClientRect();
      const shown = box.width > 0 && box.height > 0 && box.bottom > 0;
      if (!shown || inSentence(element)) return [];
      if (box.width >= min && box.height >= min) return [];
      const name =
        (element.textContent ?? "").trim().slice(0, 30) || element.outerHTML.slice(0, 60);
      const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
      return [`${element.tagName.toLowerCase()} "${name}" ${size}`];
    });
    return { overflow, smallTargets };
  }, MIN_TARGET_PX);
}

/** Everything wrong with the page as shown, by kind; every list empty when all is well. */
export async function pageProblems(page: Page) {
  const findings = await axeFindings(page);
  return {
    axe: findings.map((f) => `${f.impact} ${f.rule}: ${f.targets.join(", ")}`),
    ...(await layoutProblems(page)),
  };
}

export const NO_PROBLEMS = { axe: [], overflow: [], smallTargets: [] };

/**
 * A request the browser reports aborted because the test left the page: a live page's
 * stream, or a live region's fetch cut off by the navigation, the events list's own
 * (`/dashboard?…`) among them. Assets are never among them.
 */
export const isCutOffLiveRequest = (problem: string): boolean =>
  /^request failed: \S+\/dashboard(?:\?\S*|\/(?!assets\/)\S*)? net::ERR_ABORTED$/.test(problem);

/**
 * Runs `run` on a fresh tab of `context`, then fails on what the page did wrong: console
 * errors, CSP violations and failed requests (but for the error statuses in `allowed`,
 * and live requests cut off by leaving a page), or a payload's script that ran. The tab
 * is closed either way; Playwright's own race gets one more run (retryOnPlaywrightRace).
 */
export async function withCheckedPage(
  context: BrowserContext,
  run: (page: Page) => Promise<void>,
  allowed: readonly number[] = [],
): Promise<void> {
  await retryOnPlaywrightRace(async () => {
    const page = await context.newPage();
    const watch = watchForProblems(page);
    try {
      await run(page);
      expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
      const unexpected = watch.problems.filter(
        (problem) =>
          !allowed.some((status) => problem.startsWith(`HTTP ${status}:`)) &&
          !isCutOffLiveRequest(problem),
      );
      expect(unexpected).toEqual([]);
    } finally {
      await page.close();
    }
  });
}
