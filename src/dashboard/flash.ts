/**
 * One-time notices after a form ("Redelivery queued"): the Post/Redirect/Get answer sets
 * a short-lived cookie naming what happened and the page that should say so; that page
 * says it once and clears it. The URL stays clean, so a reload, a bookmark or a link
 * passed on never repeats a notice about something that happened once.
 *
 * The cookie carries a keyword (and at most a short argument such as an id), never the
 * message: each page looks the keyword up in its own table, so a planted cookie cannot
 * make a page say anything it would not say anyway.
 */
import { readCookie } from "./csrf.ts";
import { seeOther } from "./html.ts";

export const NOTICE_COOKIE = "hookyard_notice";

/** Long enough for the redirect to be followed on a slow link; a minute later it is stale. */
export const NOTICE_MAX_AGE_SECONDS = 60;

/** Keywords and arguments are short tokens; anything else in the cookie is ignored. */
const NOTICE_PATTERN = /^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_.-]{1,128})?$/;

function cookie(value: string, maxAge: number, request: Request): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  // Path=/dashboard, not the target page: cookies for a path are also sent to the pages
  // under it, and two cookies of one name would leave a page guessing which is its own.
  return `${NOTICE_COOKIE}=${value}; Path=/dashboard; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}

/**
 * 303 to `location` (a local path without a query is expected: the page's own), which
 * then shows `notice` once. `notice` is `keyword` or `keyword:argument`.
 */
export function seeOtherWithNotice(location: string, notice: string, request: Request): Response {
  if (!NOTICE_PATTERN.test(notice)) throw new RangeError(`not a notice keyword: ${notice}`);
  const value = `${notice}@${encodeURIComponent(pagePath(location))}`;
  return seeOther(location, {
    headers: { "set-cookie": cookie(value, NOTICE_MAX_AGE_SECONDS, request) },
  });
}

export interface TakenNotice {
  /** The keyword (with its argument) meant for this page, if one is waiting. */
  readonly notice: string | undefined;
  /** Clears the cookie once it has been shown; undefined when there was nothing for this page. */
  readonly setCookie: string | undefined;
}

/** The notice waiting for this page, and the cookie that clears it. */
export function takeNotice(request: Request): TakenNotice {
  const value = readCookie(request.headers.get("cookie"), NOTICE_COOKIE);
  const at = value?.lastIndexOf("@") ?? -1;
  if (value === undefined || at === -1) return { notice: undefined, setCookie: undefined };
  const notice = value.slice(0, at);
  let page: string;
  try {
    page = decodeURIComponent(value.slice(at + 1));
  } catch {
    return { notice: undefined, setCookie: undefined };
  }
  // Another page's notice waits for its page (a second tab may have loaded this one first).
  if (page !== pagePath(request.url) || !NOTICE_PATTERN.test(notice)) {
    return { notice: undefined, setCookie: undefined };
  }
  return { notice, setCookie: cookie("", 0, request) };
}

/** The keyword and the argument of a notice (`created:ab12` → ["created", "ab12"]). */
export function splitNotice(notice: string | undefined): [string | undefined, string | undefined] {
  if (notice === undefined) return [undefined, undefined];
  const colon = notice.indexOf(":");
  return colon === -1 ? [notice, undefined] : [notice.slice(0, colon), notice.slice(colon + 1)];
}

/** The path of a local path or a URL, as the browser will request it. */
function pagePath(location: string): string {
  return new URL(location, "http://dashboard.invalid").pathname;
}
