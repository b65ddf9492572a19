/**
 * CSRF protection for the dashboard's forms.
 *
 * Why it is needed: the dashboard is behind HTTP Basic auth, and browsers resend Basic
 * credentials on any request to the site, including a form another site submits. Without
 * a check, a page the admin visits could disable endpoints or delete data.
 *
 * Why this design: hookyard keeps no sessions and may run as several instances behind a
 * load balancer, so the token cannot live in server memory. A double-submit cookie needs
 * no server state: the token is set in a cookie and repeated in each form; another site
 * can make the browser send the cookie, but cannot read it to put it in the form.
 *
 * Two layers, both required for a state-changing request:
 * 1. Same origin, from the browser's own headers, which a page cannot forge
 *    (../http/same-origin.ts, which the whole API applies too). These alone stop
 *    cross-site posts in current browsers, including from sibling subdomains that could
 *    plant cookies.
 * 2. The form's `csrf_token` equals the `hookyard_csrf` cookie, for browsers that send
 *    neither header. The cookie is `SameSite=Strict` (never sent cross-site) and HttpOnly.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { crossSiteRefusal } from "../http/same-origin.ts";

export const CSRF_COOKIE = "hookyard_csrf";
export const CSRF_FIELD = "csrf_token";

/** 32 random bytes, base64url: unguessable, and safe in a cookie and a form field. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedCsrfToken {
  /** Put this in every form (`<CsrfField token>`, `<PostButton csrfToken>`). */
  readonly token: string;
  /** The cookie to set when the request had none (undefined when it already has one). */
  readonly setCookie: string | undefined;
  /** `setCookie` as response headers, ready for `htmlResponse(page, { headers })`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The request's token, or a new one with the cookie that carries it. */
export function issueCsrfToken(request: Request): IssuedCsrfToken {
  const existing = readCookie(request.headers.get("cookie"), CSRF_COOKIE);
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) {
    return { token: existing, setCookie: undefined, headers: {} };
  }
  const token = randomBytes(32).toString("base64url");
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  // Path=/dashboard: only the dashboard needs it. No Max-Age: a session cookie, renewed
  // by the next page view after the browser closes.
  const setCookie = `${CSRF_COOKIE}=${token}; Path=/dashboard; HttpOnly; SameSite=Strict${secure}`;
  return { token, setCookie, headers: { "set-cookie": setCookie } };
}

export type CsrfRefusal = "cross-site" | "foreign-origin" | "missing-token" | "token-mismatch";

export type CsrfCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: CsrfRefusal; readonly message: string };

const MESSAGES: Readonly<Record<CsrfRefusal, string>> = {
  "cross-site": "This request came from another site, so it was refused.",
  "foreign-origin": "This request came from another origin, so it was refused.",
  "missing-token": "The form had no valid security token. Reload the page and try again.",
  "token-mismatch": "The form's security token is out of date. Reload the page and try again.",
};

function refuse(reason: CsrfRefusal): CsrfCheck {
  return { ok: false, reason, message: MESSAGES[reason] };
}

/**
 * Whether a state-changing request (POST) may proceed. `formToken` is the submitted
 * `csrf_token` field; anything that is not a string counts as missing.
 */
export function checkCsrf(request: Request, formToken: unknown): CsrfCheck {
  const crossSite = crossSiteRefusal(request);
  if (crossSite !== undefined) return refuse(crossSite);

  const cookie = readCookie(request.headers.get("cookie"), CSRF_COOKIE);
  if (typeof formToken !== "string" || formToken === "" || cookie === undefined || cookie === "") {
    return refuse("missing-token");
  }
  return constantTimeEqual(formToken, cookie) ? { ok: true } : refuse("token-mismatch");
}

/** One cookie's value from a `Cookie` header. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Equal strings, in time that does not depend on where they first differ. */
function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
