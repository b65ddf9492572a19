import { describe, expect, test } from "bun:test";
import { DASHBOARD_ASSET_NAMES, dashboardAssetResponse } from "../../../src/dashboard/assets.ts";

const assetsDir = new URL("../../../src/dashboard/assets/", import.meta.url);

describe("dashboardAssetResponse", () => {
  test.each([
    ["style.css", "text/css; charset=utf-8"],
    ["app.js", "text/javascript; charset=utf-8"],
  ])("serves %s as %s, cacheable, with an ETag", async (name, contentType) => {
    const response = dashboardAssetResponse(name);
    expect(response?.status).toBe(200);
    expect(response?.headers.get("content-type")).toBe(contentType);
    expect(response?.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(response?.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(await response?.text()).toBe(await Bun.file(new URL(name, assetsDir)).text());
  });

  test("gives each asset its own ETag", () => {
    const etags = DASHBOARD_ASSET_NAMES.map((name) =>
      dashboardAssetResponse(name)?.headers.get("etag"),
    );
    expect(new Set(etags).size).toBe(DASHBOARD_ASSET_NAMES.length);
  });

  test("answers 304 without a body when the browser has the current version", async () => {
    const etag = dashboardAssetResponse("style.css")?.headers.get("etag") as string;
    const request = new Request("http://x/dashboard/assets/style.css", {
      headers: { "if-none-match": `W/"old", ${etag}` },
    });
    const response = dashboardAssetResponse("style.css", request);
    expect(response?.status).toBe(304);
    expect(await response?.text()).toBe("");
  });

  test("sends the asset again for an outdated ETag", () => {
    const request = new Request("http://x/", { headers: { "if-none-match": '"old"' } });
    expect(dashboardAssetResponse("app.js", request)?.status).toBe(200);
  });

  test.each(["missing.css", "../assets.ts", "", "__proto__", "style.css/"])(
    "gives undefined for %p",
    (name) => {
      expect(dashboardAssetResponse(name)).toBeUndefined();
    },
  );

  test("the client script is valid plain JavaScript for a classic <script>", async () => {
    const script = (await dashboardAssetResponse("app.js")?.text()) ?? "";
    // Parses without running: a syntax error would throw here.
    expect(() => new Function(script)).not.toThrow();
  });
});
