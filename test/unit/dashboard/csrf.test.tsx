import { describe, expect, test } from "bun:test";
import { PostButton } from "../../../src/dashboard/components/post-button.tsx";
import { CSRF_COOKIE, checkCsrf, issueCsrfToken, readCookie } from "../../../src/dashboard/csrf.ts";
import { renderSync } from "../../../src/dashboard/html.ts";
import { parseHtml } from "./parse-html.ts";

const TOKEN = "A".repeat(43);
const SITE = "http://hookyard.test:8000";

/** A form post as a browser sends it; `headers` replaces the defaults given. */
function post(headers: Record<string, string | undefined> = {}, url = `${SITE}/dashboard/x`) {
  const all: Record<string, string | undefined> = {
    host: new URL(url).host,
    origin: new URL(url).origin,
    "sec-fetch-site": "same-origin",
    cookie: `${CSRF_COOKIE}=${TOKEN}`,
    ...headers,
  };
  const defined = Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined);
  return new Request(url, { method: "POST", headers: defined });
}

describe("issueCsrfToken", () => {
  test("makes a new random token and a strict cookie for a first visit", () => {
    const first = issueCsrfToken(new Request(`${SITE}/dashboard`));
    const second = issueCsrfToken(new Request(`${SITE}/dashboard`));
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.token).not.toBe(second.token);
    expect(first.setCookie).toBe(
      `${CSRF_COOKIE}=${first.token}; Path=/dashboard; HttpOnly; SameSite=Strict`,
    );
    expect(first.headers).toEqual({ "set-cookie": first.setCookie as string });
  });

  test("marks the cookie Secure when the request came over https", () => {
    const issued = issueCsrfToken(new Request("https://hookyard.test/dashboard"));
    expect(issued.setCookie).toEndWith("; Secure");
  });

  test("reuses the token the browser already has, setting no cookie", () => {
    const request = new Request(`${SITE}/dashboard`, {
      headers: { cookie: `other=1; ${CSRF_COOKIE}=${TOKEN}` },
    });
    expect(issueCsrfToken(request)).toEqual({ token: TOKEN, setCookie: undefined, headers: {} });
  });

  test("replaces a malformed cookie", () => {
    const request = new Request(`${SITE}/dashboard`, {
      headers: { cookie: `${CSRF_COOKIE}=short` },
    });
    const issued = issueCsrfToken(request);
    expect(issued.token).not.toBe("short");
    expect(issued.setCookie).toStartWith(`${CSRF_COOKIE}=${issued.token};`);
  });
});

describe("checkCsrf accepts", () => {
  test.each<[string, Request]>([
    ["a same-origin post with the matching token", post()],
    [
      "a post without Sec-Fetch-Site and Origin (older browsers)",
      post({ "sec-fetch-site": undefined, origin: undefined }),
    ],
    [
      "an https page behind a proxy that ends TLS",
      post({ origin: "https://hookyard.test" }, "http://hookyard.test/dashboard/x"),
    ],
    ["an https request from its own https page", post({}, "https://hookyard.test/dashboard/x")],
    [
      "an Origin with the default port written out",
      post(
        { origin: "https://hookyard.test:443", host: "hookyard.test" },
        "https://hookyard.test/dashboard/x",
      ),
    ],
  ])("%s", (_name, request) => {
    expect(checkCsrf(request, TOKEN)).toEqual({ ok: true });
  });
});

describe("checkCsrf refuses", () => {
  test.each<[string, Request, unknown, string]>([
    ["a cross-site post", post({ "sec-fetch-site": "cross-site" }), TOKEN, "cross-site"],
    [
      "a post from a sibling subdomain",
      post({ "sec-fetch-site": "same-site" }),
      TOKEN,
      "cross-site",
    ],
    [
      "a post the user did not start from a page",
      post({ "sec-fetch-site": "none" }),
      TOKEN,
      "cross-site",
    ],
    [
      "a foreign Origin",
      post({ "sec-fetch-site": undefined, origin: "https://evil.example" }),
      TOKEN,
      "foreign-origin",
    ],
    [
      "Origin: null",
      post({ "sec-fetch-site": undefined, origin: "null" }),
      TOKEN,
      "foreign-origin",
    ],
    [
      "the same host on another port",
      post({ origin: "http://hookyard.test:9000" }),
      TOKEN,
      "foreign-origin",
    ],
    [
      "an http page posting to https",
      post({ origin: "http://hookyard.test" }, "https://hookyard.test/dashboard/x"),
      TOKEN,
      "foreign-origin",
    ],
    [
      "an Origin naming the forwarded host",
      post({
        origin: "https://evil.example",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
      }),
      TOKEN,
      "foreign-origin",
    ],
    ["a form without a token", post(), undefined, "missing-token"],
    ["an empty form token", post(), "", "missing-token"],
    ["a token that is not a string", post(), [TOKEN], "missing-token"],
    ["a request without the cookie", post({ cookie: undefined }), TOKEN, "missing-token"],
    ["a token that does not match the cookie", post(), "B".repeat(43), "token-mismatch"],
    ["a token of another length", post(), `${TOKEN}A`, "token-mismatch"],
  ])("%s", (_name, request, formToken, reason) => {
    const result = checkCsrf(request, formToken);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.reason).toBe(reason as never);
    expect(result.ok ? "" : result.message).not.toBe("");
  });
});

describe("readCookie", () => {
  test.each<[string | null, string | undefined]>([
    [null, undefined],
    ["", undefined],
    ["a=1; hookyard_csrf=xyz; b=2", "xyz"],
    ["hookyard_csrf_old=nope", undefined],
    ["x_hookyard_csrf=nope; hookyard_csrf=yes", "yes"],
  ])("reads %p", (header, expected) => {
    expect(readCookie(header, CSRF_COOKIE)).toBe(expected);
  });
});

describe("a PostButton form round trip", () => {
  test("the token issued with the page, posted back by the form, passes the check", async () => {
    const page = new Request(`${SITE}/dashboard/endpoints`);
    const issued = issueCsrfToken(page);
    const cookie = (issued.setCookie ?? "").split(";")[0] ?? "";

    const html = renderSync(
      <PostButton action="/dashboard/x" csrfToken={issued.token} label="Go" />,
    );
    const fields = (await parseHtml(html)).elements.filter((e) => e.tag === "input");
    const body = new URLSearchParams(
      fields.map((e) => [e.attributes.name ?? "", e.attributes.value ?? ""]),
    );
    const submit = new Request(`${SITE}/dashboard/x`, {
      method: "POST",
      headers: { origin: SITE, "sec-fetch-site": "same-origin", cookie },
      body,
    });

    const form = await submit.clone().formData();
    expect(checkCsrf(submit, form.get("csrf_token"))).toEqual({ ok: true });
    expect(checkCsrf(submit, "forged")).toMatchObject({ ok: false, reason: "token-mismatch" });
  });
});
