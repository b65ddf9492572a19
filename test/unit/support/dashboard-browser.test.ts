/** Which failed requests the browser tests forgive: only live requests cut off by leaving a page. */
import { describe, expect, test } from "bun:test";
import { isCutOffLiveRequest } from "../../support/dashboard-browser.ts";

const failed = (path: string, reason = "net::ERR_ABORTED") =>
  `request failed: http://127.0.0.1:41639${path} ${reason}`;

describe("isCutOffLiveRequest", () => {
  test("a live page's stream or refresh, the events list's own included, cut off by leaving it", () => {
    expect(isCutOffLiveRequest(failed("/dashboard/events/stream?topics=events"))).toBe(true);
    expect(isCutOffLiveRequest(failed("/dashboard/endpoints"))).toBe(true);
    expect(isCutOffLiveRequest(failed("/dashboard?source=entity&q=task"))).toBe(true);
    expect(isCutOffLiveRequest(failed("/dashboard"))).toBe(true);
  });

  test("never an asset, another path, or a request that failed for another reason", () => {
    expect(isCutOffLiveRequest(failed("/dashboard/assets/app.js"))).toBe(false);
    expect(isCutOffLiveRequest(failed("/dashboardx"))).toBe(false);
    expect(isCutOffLiveRequest(failed("/events"))).toBe(false);
    expect(isCutOffLiveRequest(failed("/dashboard?source=entity", "net::ERR_FAILED"))).toBe(false);
  });
});
