import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

for (const dialect of dialects) {
  describe(`operations routes (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { MAX_BODY_SIZE: "64kb" } });
    });
    afterAll(() => app.stop());

    test("GET /healthz answers ok", async () => {
      const response = await app.request("/healthz");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toStartWith("application/json");
      expect(await response.json()).toEqual({ status: "ok" });
    });

    test("GET /readyz answers ready while the database answers", async () => {
      const response = await app.request("/readyz");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ready" });
    });

    test("GET /metrics counts requests by route and status in Prometheus text", async () => {
      await app.request("/healthz");
      await app.request("/no-such-route");
      const response = await app.request("/metrics");
      expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
      const text = await response.text();
      expect(text).toContain("# TYPE hookyard_http_requests_total counter");
      expect(text).toMatch(
        /hookyard_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/,
      );
      expect(text).toMatch(
        /hookyard_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/,
      );
      expect(text).toContain("hookyard_http_request_duration_seconds_bucket");
      expect(text).toContain('hookyard_queue_oldest_pending_age_seconds{queue="deliveries"} 0');
      expect(text).toContain('hookyard_queue_oldest_pending_age_seconds{queue="relay"} 0');
    });

    test("an unknown route is a JSON 404", async () => {
      const response = await app.request("/no-such-route");
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: "no route for GET /no-such-route",
        details: [],
      });
    });

    test("every response carries a request id, and a sane one from the client is kept", async () => {
      const generated = await app.request("/healthz");
      expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await app.request("/healthz", { headers: { "x-request-id": "trace-42" } });
      expect(kept.headers.get("x-request-id")).toBe("trace-42");
      const replaced = await app.request("/healthz", {
        headers: { "x-request-id": "bad id\u0001" },
      });
      expect(replaced.headers.get("x-request-id")).not.toBe("bad id\u0001");
    });

    test("a body declared larger than MAX_BODY_SIZE is refused with a JSON 413", async () => {
      const response = await app.request("/webhooks/github", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(65 * 1024),
      });
      expect(response.status).toBe(413);
      expect((await response.json()).error).toContain("MAX_BODY_SIZE");
    });

    test("GET /openapi/json is an OpenAPI 3.1 document listing the routes", async () => {
      const response = await app.request("/openapi/json");
      expect(response.status).toBe(200);
      const document = await response.json();
      expect(document.openapi).toStartWith("3.1");
      expect(document.info.title).toBe("hookyard");
      expect(Object.keys(document.paths)).toContain("/readyz");
    });

    test("GET /openapi serves a docs page whose assets come from the binary, not a CDN", async () => {
      const page = await (await app.request("/openapi")).text();
      expect(page).not.toMatch(/https?:\/\//);
      for (const asset of page.match(/(?:src|href)="([^"]+)"/g) ?? []) {
        const path = asset.replace(/^(src|href)="/, "").replace(/"$/, "");
        const response = await app.request(path);
        expect(response.status).toBe(200);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(20);
      }
    });
  });
}
