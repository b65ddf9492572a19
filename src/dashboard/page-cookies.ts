/**
 * What a dashboard page takes from the browser's cookies before rendering: the CSRF token
 * its forms carry (csrf.ts) and the one-time notice waiting for it (flash.ts), with the
 * cookies to set in return.
 */
import { issueCsrfToken } from "./csrf.ts";
import { takeNotice } from "./flash.ts";

export interface PageCookies {
  readonly csrfToken: string;
  /** The notice keyword for this page (`keyword` or `keyword:argument`), shown once. */
  readonly notice: string | undefined;
  /** For `htmlResponse(page, { headers })`: the CSRF cookie when new, the notice's clearing. */
  readonly headers: [string, string][];
}

export function pageCookies(request: Request): PageCookies {
  const csrf = issueCsrfToken(request);
  const taken = takeNotice(request);
  return {
    csrfToken: csrf.token,
    notice: taken.notice,
    headers: [csrf.setCookie, taken.setCookie]
      .filter((value) => value !== undefined)
      .map((value) => ["set-cookie", value]),
  };
}
