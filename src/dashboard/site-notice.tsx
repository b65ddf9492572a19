/**
 * A notice at the top of every dashboard page about the instance itself, not the page:
 * today one, that it is open to anyone (no ADMIN_TOKEN). Decided once per app from its
 * settings and put into each page where the layout leaves a slot, so no page has to
 * remember it.
 */
import type { Config } from "../config.ts";
import { renderSync } from "./html.ts";

/** Where the layout puts instance-wide notices: right after `<body>`, before any data. */
export const SITE_NOTICE_SLOT = "<!--hookyard:site-notice-->";

export const OPEN_ACCESS_MESSAGE = "no ADMIN_TOKEN: anyone who can reach this can manage it";

function OpenAccessBanner(): JSX.Element {
  return (
    <div class="site-banner" role="alert">
      <strong>{OPEN_ACCESS_MESSAGE}</strong>. Set <code>ADMIN_TOKEN</code> and restart to require it
      for the dashboard and the API.
    </div>
  );
}

/** The notice markup for this instance, or undefined when there is none to show. */
export function siteNotice(config: Pick<Config, "adminToken">): string | undefined {
  return config.adminToken === undefined ? renderSync(<OpenAccessBanner />) : undefined;
}

/** A rendered page with the notice in its slot. */
export function insertSiteNotice(page: string, notice: string): string {
  return page.replace(SITE_NOTICE_SLOT, notice);
}

/** The page with the notice in its slot; anything that is not a dashboard page as it is. */
export async function withSiteNotice(response: Response, notice: string): Promise<Response> {
  if (!response.headers.get("content-type")?.startsWith("text/html")) return response;
  const page = await response.text();
  return new Response(insertSiteNotice(page, notice), {
    status: response.status,
    headers: response.headers,
  });
}
