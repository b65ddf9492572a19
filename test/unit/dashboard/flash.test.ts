import { describe, expect, test } from "bun:test";
import {
  NOTICE_COOKIE,
  seeOtherWithNotice,
  splitNotice,
  takeNotice,
} from "../../../src/dashboard/flash.ts";

const origin = "http://hookyard.test";
const post = new Request(`${origin}/dashboard/deliveries/d1/retry`, { method: "POST" });

/** The notice cookie a redirect sets, as the browser sends it back (`name=value`). */
function cookieOf(response: Response): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${NOTICE_COOKIE}=`));
  return header?.split(";")[0] ?? "";
}

const visit = (path: string, cookie: string) =>
  takeNotice(new Request(`${origin}${path}`, { headers: { cookie } }));

describe("one-time notices", () => {
  test("the redirect goes to the clean URL and the notice rides in a short-lived, HttpOnly, same-site cookie", () => {
    const response = seeOtherWithNotice("/dashboard/deliveries/d1", "redelivered", post);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/dashboard/deliveries/d1");
    const [header] = response.headers.getSetCookie();
    expect(header).toContain("Max-Age=60");
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Strict");
    expect(header).toContain("Path=/dashboard");
  });

  test("the page it names shows it and clears it", () => {
    const cookie = cookieOf(seeOtherWithNotice("/dashboard/deliveries/d1", "redelivered", post));
    const taken = visit("/dashboard/deliveries/d1", cookie);
    expect(taken.notice).toBe("redelivered");
    expect(taken.setCookie).toStartWith(`${NOTICE_COOKIE}=;`);
    expect(taken.setCookie).toContain("Max-Age=0");
  });

  test("another page leaves it for the one it names", () => {
    const cookie = cookieOf(seeOtherWithNotice("/dashboard/endpoints", "deleted", post));
    expect(visit("/dashboard/endpoints/e1", cookie)).toEqual({
      notice: undefined,
      setCookie: undefined,
    });
    expect(visit("/dashboard/endpoints", cookie).notice).toBe("deleted");
  });

  test("a notice with an argument keeps it", () => {
    const cookie = cookieOf(seeOtherWithNotice("/dashboard/hooks", "created:ab-12", post));
    expect(splitNotice(visit("/dashboard/hooks", cookie).notice)).toEqual(["created", "ab-12"]);
    expect(splitNotice("deleted")).toEqual(["deleted", undefined]);
  });

  test.each([
    ["no cookie", ""],
    ["no page", `${NOTICE_COOKIE}=saved`],
    ["a page that does not decode", `${NOTICE_COOKIE}=saved@%E0%A4%A`],
    ["markup for a keyword", `${NOTICE_COOKIE}=%3Cb%3E@%2Fdashboard`],
  ])("%s gives no notice", (_name, cookie) => {
    expect(visit("/dashboard", cookie).notice).toBeUndefined();
  });

  test("only keywords are accepted when redirecting", () => {
    expect(() => seeOtherWithNotice("/dashboard", "two words", post)).toThrow(RangeError);
    expect(() => seeOtherWithNotice("//evil.example", "saved", post)).toThrow(RangeError);
  });
});
