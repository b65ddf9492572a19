/**
 * How every dashboard page leaves the server: a plain Response built here, with a strict
 * Content-Security-Policy and the usual hardening headers.
 *
 * Pages are rendered to strings and returned explicitly rather than left to
 * @elysiajs/html's automatic detection, which is known to turn an error status into an
 * empty 200.
 */

/**
 * Everything the dashboard shows may come from an attacker (webhook payloads, headers,
 * entity ids). Escaping is the first defence; this policy is the second: no inline
 * script or style, no foreign origin for anything, no framing, no <base> rewriting, and
 * forms may only post back to us.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "connect-src 'self'",
].join("; ");

/** The headers every dashboard HTML response carries. */
export const DASHBOARD_HTML_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": DASHBOARD_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  // Pages show live data and sit behind credentials: never let a shared cache keep them.
  "cache-control": "no-store",
};

export interface HtmlResponseInit {
  readonly status?: number;
  /** Added after the defaults (so they may replace one); `set-cookie` may repeat. */
  readonly headers?: HeadersInit;
}

/**
 * A rendered JSX tree as a string. KitaJS returns a Promise as soon as any component in
 * the tree is async; the dashboard keeps every component synchronous (data is loaded
 * before rendering), so a Promise here is a programming error, reported loudly.
 */
export function renderSync(element: JSX.Element): string {
  if (typeof element !== "string") {
    throw new TypeError("dashboard components must be synchronous: load data before rendering");
  }
  return element;
}

/** An HTML page (or fragment) as a Response with the dashboard's security headers. */
export function htmlResponse(body: JSX.Element, init: HtmlResponseInit = {}): Response {
  const headers = new Headers(DASHBOARD_HTML_HEADERS);
  for (const [name, value] of new Headers(init.headers)) {
    if (name === "set-cookie") headers.append(name, value);
    else headers.set(name, value);
  }
  return new Response(renderSync(body), { status: init.status ?? 200, headers });
}

/**
 * 303 See Other to a path on this site: what a form post answers so that reloading the
 * next page does not repeat the action. Only local paths are accepted ("/…" but not
 * "//host", which a browser reads as another site), so a redirect target taken from a
 * form can never send the user elsewhere.
 */
export function seeOther(location: string, init: { headers?: HeadersInit } = {}): Response {
  if (!isLocalPath(location)) throw new RangeError(`not a local path: ${location}`);
  const headers = new Headers(init.headers);
  headers.set("location", location);
  headers.set("cache-control", "no-store");
  return new Response(null, { status: 303, headers });
}

/** True for "/x…" paths on this origin; false for "//host", "/\\host" and absolute URLs. */
export function isLocalPath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\");
}
