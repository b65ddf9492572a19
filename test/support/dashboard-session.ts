/** Driving dashboard forms in tests as a browser would: the CSRF cookie, the form's token, a post. */
import { expect } from "bun:test";
import { type ParsedHtml, parseHtml } from "../unit/dashboard/parse-html.ts";
import type { TestApp } from "./app.ts";

/** What a browser holds after loading a dashboard page: the CSRF cookie and the form's token. */
export interface Session {
  readonly cookie: string;
  readonly token: string;
}

export async function openSession(
  app: TestApp,
  path: string,
  headers: Record<string, string> = {},
): Promise<Session> {
  const response = await app.request(path, { headers });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const parsed = await parseHtml(await response.text());
  const token = parsed.elements.find((e) => e.attributes.name === "csrf_token")?.attributes.value;
  expect(cookie).toStartWith("hookyard_csrf=");
  expect(token).toBeString();
  return { cookie, token: token ?? "" };
}

export function postForm(
  app: TestApp,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string>,
): Promise<Response> {
  return app.request(path, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export async function page(app: TestApp, path: string, headers: Record<string, string> = {}) {
  const response = await app.request(path, { headers });
  const html = await response.text();
  return { response, html, parsed: await parseHtml(html) };
}

export const links = (parsed: ParsedHtml) =>
  parsed.elements.filter((e) => e.tag === "a").map((e) => e.attributes.href ?? "");

/** The `name=value` of each cookie a response sets (a cookie being cleared has an empty value). */
export function setCookies(response: Response): Record<string, string> {
  return Object.fromEntries(
    response.headers.getSetCookie().map((header) => {
      const pair = header.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/**
 * Follows a form's 303 as a browser would: GETs the location with the session's cookie
 * and those the redirect set (the one-time notice). `cookie` is what to send next.
 */
export async function follow(app: TestApp, redirect: Response, session: Session) {
  expect(redirect.status).toBe(303);
  const location = redirect.headers.get("location") ?? "";
  const set = Object.entries(setCookies(redirect)).map(([name, value]) => `${name}=${value}`);
  const cookie = [session.cookie, ...set].join("; ");
  return { location, cookie, ...(await page(app, location, { cookie })) };
}
