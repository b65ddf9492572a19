/**
 * The frame of every dashboard page: the document head (stylesheet and script from
 * /dashboard/assets, nothing inline: the CSP forbids it), the top navigation, the page
 * heading with optional actions and the live status, the content and a footer.
 *
 * Usage:
 *   htmlResponse(
 *     <Layout title="Events" active="events" live={{ topics: ["events"] }}>
 *       <FilterForm … /> <Table … /> <Pager … />
 *     </Layout>,
 *   )
 */
import type { Children } from "@kitajs/html";
import { type LiveSpec, liveAttributes } from "./components/live-region.tsx";
import { attr } from "./components/markup.ts";
import { SITE_NOTICE_SLOT } from "./site-notice.tsx";

export type NavKey =
  | "events"
  | "changes"
  | "sources"
  | "endpoints"
  | "failures"
  | "relay"
  | "hooks";

export const NAV_ITEMS: readonly { key: NavKey; label: string; href: string }[] = [
  { key: "events", label: "Events", href: "/dashboard" },
  { key: "changes", label: "Changes", href: "/dashboard/changes" },
  { key: "sources", label: "Sources", href: "/dashboard/sources" },
  { key: "endpoints", label: "Endpoints", href: "/dashboard/endpoints" },
  { key: "failures", label: "Failures", href: "/dashboard/failures" },
  { key: "relay", label: "Relay", href: "/dashboard/relay" },
  { key: "hooks", label: "Hooks", href: "/dashboard/hooks" },
];

/** Where the assets are served from (see assets.ts). */
export const STYLESHEET_HREF = "/dashboard/assets/style.css";
export const SCRIPT_SRC = "/dashboard/assets/app.js";

export interface LayoutProps {
  /** The page heading and document title (escaped). */
  readonly title: string;
  /** The highlighted navigation entry (entity pages belong to `events`). */
  readonly active?: NavKey;
  /** Published as `<meta name="csrf-token">` for scripts; forms use `<CsrfField>`. */
  readonly csrfToken?: string;
  /** Keep the page's <LiveRegion>s up to date (components/live-region.tsx). */
  readonly live?: LiveSpec;
  /** Buttons or links beside the heading, e.g. a `<PostButton>` (trusted markup). */
  readonly actions?: JSX.Element;
  /** The page content (trusted markup: escape data with `safe` or use the components). */
  readonly children?: Children;
}

export function Layout({
  title,
  active,
  csrfToken,
  live,
  actions,
  children,
}: LayoutProps): JSX.Element {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          {/* No favicon: without this, every page load also requests /favicon.ico (a 404). */}
          <link rel="icon" href="data:," />
          {csrfToken === undefined ? "" : <meta name="csrf-token" content={attr(csrfToken)} />}
          <title safe>{`${title} · hookyard`}</title>
          <link rel="stylesheet" href={STYLESHEET_HREF} />
          <script src={SCRIPT_SRC} defer></script>
        </head>
        <body>
          {/* First on the page: keyboard and screen reader users jump past the navigation. */}
          <a href="#main" class="skip-link">
            Skip to content
          </a>
          {SITE_NOTICE_SLOT}
          <header class="topbar">
            <a href="/dashboard" class="brand">
              hookyard
            </a>
            <nav class="nav" aria-label="Sections">
              {NAV_ITEMS.map((item) => (
                <a href={item.href} aria-current={item.key === active ? "page" : undefined}>
                  {item.label}
                </a>
              ))}
              <a href="/openapi" class="nav-aside">
                API docs
              </a>
            </nav>
          </header>
          <main class="page" id="main" tabindex="-1" {...liveAttributes(live)}>
            <div class="page-head">
              <h1 safe>{title}</h1>
              <div class="page-actions">
                {actions ?? ""}
                {live === undefined ? (
                  ""
                ) : (
                  // Filled in by app.js ("Live", "Reconnecting…"): hidden where it does not run.
                  <span class="live-status" data-live-status role="status" hidden></span>
                )}
              </div>
            </div>
            {children}
          </main>
          <footer class="footer">
            <span>hookyard</span>
            <a href="/openapi">API docs</a>
            <a href="/openapi/json">OpenAPI JSON</a>
            <a href="/metrics">Metrics</a>
            <span class="muted">Times are UTC</span>
          </footer>
        </body>
      </html>
    </>
  );
}
