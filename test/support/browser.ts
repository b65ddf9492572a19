/**
 * A real browser for the dashboard's browser tests: Debian's Chromium driven by
 * playwright-core (no browser download; `.ci/run` installs the `chromium` package).
 * Where it is missing the tests are skipped, saying why.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless, sandbox-free (containers), and quiet: nothing reaches for the internet. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** Why the browser tests cannot run here, or undefined when they can. */
export const browserUnavailable: string | undefined = existsSync(CHROMIUM_PATH)
  ? undefined
  : `${CHROMIUM_PATH} not found: install Debian's chromium package (apt-get install -y chromium) to run the browser tests`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/** Screenshots land here (git-ignored), for a person to look at after a run. */
export const ARTIFACTS_DIR = join(import.meta.dir, "..", "artifacts");

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects what the page reports as wrong: uncaught errors, console errors (a CSP
 * violation is one), error responses and failed requests. Read `problems` after the page is done.
 */
export function watchForProblems(page: Page): { readonly problems: string[] } {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // A failed load is reported below, with its URL.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    // Browsers ask for /favicon.ico on their own; the dashboard has none to offer.
    if (response.status() >= 400 && new URL(response.url()).pathname !== "/favicon.ico") {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  page.on("requestfailed", (request) => {
    // A live page's stream never ends by itself: leaving the page aborts it.
    const leftLivePage =
      new URL(request.url()).pathname === "/dashboard/stream" &&
      request.failure()?.errorText === "net::ERR_ABORTED";
    if (!leftLivePage) {
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`);
    }
  });
  return { problems };
}

/** True when the page is wider than the window: something overflows sideways. */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
}

/** axe-core's engine, read once. */
let axeSource: string | undefined;

async function axeScript(): Promise<string> {
  axeSource ??= await Bun.file(require.resolve("axe-core/axe.min.js")).text();
  return axeSource;
}

/**
 * Loads axe-core into every page of `context` as it opens. Through the DevTools
 * protocol, which the page's `script-src 'self'` does not govern: the CSP under test
 * stays as it is.
 */
export async function installAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: await axeScript() });
}

export interface AxeFinding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  /** CSS selectors of the offending elements (the first few). */
  readonly targets: readonly string[];
}

/** What axe-core finds wrong on the page as it stands, at `impacts` (default critical and serious). */
export async function axeFindings(
  page: Page,
  impacts: readonly string[] = ["critical", "serious"],
): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(await axeScript());
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (options: object) => Promise<AxeResults> } })
      .axe;
    const results = await axe.run({ resultTypes: ["violations"] });
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((node) => String(node.target.join(" "))),
    }));
  });
  return violations.filter((finding) => impacts.includes(finding.impact));
}

interface AxeResults {
  readonly violations: readonly {
    readonly id: string;
    readonly impact?: string | null;
    readonly help: string;
    readonly nodes: readonly { readonly target: readonly unknown[] }[];
  }[];
}

/**
 * Runs `attempt` again, once, when Playwright's client lost track of one of its own
 * objects ("Object with guid request@… was not bound in the connection"): a race inside
 * Playwright between a navigation and the events of the requests it ends
 * (microsoft/playwright#22210), seen about once in a few hundred page loads here, not
 * something the page did. Any other failure, or the same one twice, stands.
 */
export async function retryOnPlaywrightRace<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!/was not bound in the connection/.test(String((error as Error)?.message))) throw error;
    return attempt();
  }
}
