/**
 * What the fuzz tests found, each pinned by one example so it stays fixed even on a run
 * whose random inputs miss it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeCursor } from "../../src/store/cursor.ts";
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

    test("a cursor whose time lies beyond any date, or whose id holds a NUL, is a 422 naming the cursor", async () => {
      const cursors = [
        encodeCursor({ at: 8.64e15 + 1, id: "x" }),
        encodeCursor({ at: 0, id: "\u0000" }),
      ];
      for (const path of cursors.flatMap((cursor) =>
        ["/events", "/deliveries", "/relay/messages"].map((route) => `${route}?cursor=${cursor}`),
      )) {
        const response = await app.request(path);
        expect({ path, status: response.status }).toEqual({ path, status: 422 });
        expect((await response.json()).details).toEqual([
          { field: "cursor", message: "not a cursor returned by this API" },
        ]);
      }
    });
  });
}
