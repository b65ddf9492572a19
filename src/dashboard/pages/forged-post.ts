import { errorPageResponse } from "../components/index.ts";
import { CSRF_FIELD, checkCsrf } from "../csrf.ts";
import type { NavKey } from "../layout.tsx";

/**
 * Every state-changing dashboard form goes through this first: the 403 page for a post
 * that is cross-site or lacks the page's CSRF token, or undefined when it may proceed.
 */
export function refuseForgedPost(
  request: Request,
  body: unknown,
  active: NavKey,
): Response | undefined {
  const token =
    typeof body === "object" && body !== null
      ? (body as Record<string, unknown>)[CSRF_FIELD]
      : undefined;
  const csrf = checkCsrf(request, token);
  return csrf.ok
    ? undefined
    : errorPageResponse({ status: 403, title: "Refused", message: csrf.message, active });
}
