import { describe, expect, test } from "bun:test";
import { DASHBOARD_CSP, htmlResponse, isLocalPath, seeOther } from "../../../src/dashboard/html.ts";

describe("htmlResponse", () => {
  test("sends the page as UTF-8 HTML with status 200 by default", async () => {
    const response = htmlResponse("<p>hi</p>");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toBe("<p>hi</p>");
  });

  test("sends a strict Content-Security-Policy", () => {
    expect(htmlResponse("").headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
    );
    expect(DASHBOARD_CSP).not.toContain("unsafe-inline");
  });

  test.each([
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "same-origin"],
    ["x-frame-options", "DENY"],
    ["cache-control", "no-store"],
  ])("sends %s: %s", (name, value) => {
    expect(htmlResponse("").headers.get(name)).toBe(value);
  });

  test("keeps an error status (no empty 200)", async () => {
    const response = htmlResponse("<p>gone</p>", { status: 404 });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("<p>gone</p>");
  });

  test("adds the caller's headers, several cookies included", () => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1; Path=/dashboard");
    headers.append("set-cookie", "b=2; Path=/dashboard");
    headers.set("x-extra", "yes");
    const response = htmlResponse("", { headers });
    expect(response.headers.getSetCookie()).toEqual([
      "a=1; Path=/dashboard",
      "b=2; Path=/dashboard",
    ]);
    expect(response.headers.get("x-extra")).toBe("yes");
    expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
  });
});

describe("seeOther", () => {
  test("redirects with 303 to a local path", () => {
    const response = seeOther("/dashboard/endpoints?done=disabled");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/dashboard/endpoints?done=disabled");
  });

  test.each(["//evil.example/x", "/\\evil.example", "https://evil.example/", "dashboard", ""])(
    "refuses %p, which is not a local path",
    (location) => {
      expect(isLocalPath(location)).toBe(false);
      expect(() => seeOther(location)).toThrow(RangeError);
    },
  );
});
