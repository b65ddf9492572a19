/**
 * ADMIN_TOKEN: the management API takes it as a Bearer token, the dashboard as the
 * password of HTTP Basic auth (what a browser can send). Each accepts only its own form:
 * browsers resend Basic credentials on cross-site requests, so the JSON API must not
 * honour them, or any web page could drive it with a logged-in browser.
 */
import { timingSafeEqual } from "node:crypto";
import { hasBody, isJsonContentType } from "./content-type.ts";
import { ApiError, unsupportedMediaType } from "./errors.ts";

export type AdminSurface = "api" | "dashboard";

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare equal lengths only, against itself when the length differs, so the time
  // taken does not reveal how much of the token was right.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

/** The credential the request presents for `surface`, or undefined. */
export function presentedToken(request: Request, surface: AdminSurface): string | undefined {
  const header = request.headers.get("authorization") ?? "";
  const [scheme = "", value = ""] = header.split(" ", 2);
  if (surface === "api") return scheme.toLowerCase() === "bearer" ? value.trim() : undefined;
  if (scheme.toLowerCase() !== "basic") return undefined;
  const decoded = Buffer.from(value.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Throws 401 unless no token is configured or the request presents it. */
export function assertAdmin(
  request: Request,
  adminToken: string | undefined,
  surface: AdminSurface,
): void {
  if (adminToken === undefined) return;
  const token = presentedToken(request, surface);
  if (token !== undefined && tokensEqual(token, adminToken)) return;
  throw surface === "api"
    ? new ApiError(
        401,
        "missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>",
        [],
        {
          "www-authenticate": 'Bearer realm="hookyard"',
        },
      )
    : new ApiError(401, "log in with any user name and ADMIN_TOKEN as the password", [], {
        "www-authenticate": 'Basic realm="hookyard", charset="UTF-8"',
      });
}

/**
 * The management API: ADMIN_TOKEN (when set), and a body, if any, in JSON. A form or
 * text body is what another site's page can make a browser send without asking
 * (no CORS preflight), so no management route reads one.
 */
export function assertAdminApi(request: Request, adminToken: string | undefined): void {
  assertAdmin(request, adminToken, "api");
  if (hasBody(request) && !isJsonContentType(request.headers.get("content-type"))) {
    throw unsupportedMediaType("send the body as JSON, with Content-Type: application/json");
  }
}
