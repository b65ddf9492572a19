/**
 * Cross-site requests: a web page on any site can make a visitor's browser send a POST
 * to hookyard (a form, or `fetch` with a "simple" content type, needs no CORS preflight),
 * and the browser reaches what the page's own server cannot: a hookyard on localhost or
 * on a private network, or one the visitor is logged in to. Nothing hookyard offers is
 * meant to be driven from another site's page, so a state-changing request that the
 * browser marks as coming from elsewhere is refused, with or without ADMIN_TOKEN.
 * Webhook senders are servers: they send neither header, and are not affected.
 */

export type CrossSiteRefusal = "cross-site" | "foreign-origin";

/** Methods that only read: the rest change state. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isStateChanging = (method: string) => !SAFE_METHODS.has(method);

/**
 * Why the browser says this request came from another site, or undefined. From the
 * browser's own headers, which a page cannot forge: `Sec-Fetch-Site` must be
 * `same-origin` when sent (`same-site` too is refused: a sibling subdomain is not
 * necessarily ours), and `Origin`, when sent, must be this site.
 */
export function crossSiteRefusal(request: Request): CrossSiteRefusal | undefined {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null && fetchSite !== "same-origin") return "cross-site";
  const origin = request.headers.get("origin");
  if (origin !== null && !isOwnOrigin(request, origin)) return "foreign-origin";
  return undefined;
}

/**
 * Whether `Origin` names this site: the same host (and port) as the `Host` header the
 * browser sent, over a scheme no weaker than this connection's.
 *
 * `X-Forwarded-Host`/`X-Forwarded-Proto` are ignored: any client can send them, and
 * hookyard cannot know whether a proxy in front overwrites them, so trusting them by
 * default would let a request declare its own origin. A browser forges neither `Host`
 * nor `Origin`.
 *
 * The scheme is compared one way only. Behind a proxy that ends TLS, the browser's Origin
 * is `https://host` while we see plain http; refusing that would break every post behind
 * a load balancer. An https request, though, must come from an https page: an `http://`
 * page on the same host is another origin, and on a hostile network, anyone's.
 */
export function isOwnOrigin(request: Request, origin: string): boolean {
  const requestUrl = new URL(request.url);
  let parsed: URL;
  let host: string;
  try {
    // "null" (sandboxed frames, some redirects) does not parse, and is refused.
    parsed = new URL(origin);
    // Read Host with the origin's scheme, so a default port written out (":443") or
    // left out compares equal, as it does in the browser's own origin.
    host = new URL(`${parsed.protocol}//${request.headers.get("host") ?? requestUrl.host}`).host;
  } catch {
    return false;
  }
  const schemeOk =
    parsed.protocol === "https:" ||
    (parsed.protocol === "http:" && requestUrl.protocol === "http:");
  return schemeOk && parsed.host === host;
}
