import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

for (const dialect of dialects) {
  describe(`operational events (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
    });
    afterAll(() => app.stop());

    test("POST /trigger refuses hookyard's own event types: subscribers trust them to be hookyard's", async () => {
      const response = await postJson(app, "/trigger/hookyard.endpoint.disabled", {});
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        details: [{ field: "event_type", message: '"hookyard." types are hookyard\'s own' }],
      });
    });
  });
}
