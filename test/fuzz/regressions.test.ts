/**
 * What the fuzz tests found, each pinned by one example so it stays fixed even on a run
 * whose random inputs miss it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

for (const dialect of dialects) {
  describe(`fuzz findings (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect);
    });
    afterAll(() => app.stop());

    test("an id or a filter holding a NUL byte is a 400, not a database error", async () => {
      for (const path of [
        "/events/%00",
        "/events?q=a%00b",
        "/relay/messages/%00/retry",
        "/dashboard/entities/%00",
      ]) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect((await response.json()).error).toContain("NUL");
      }
    });
  });
}
