/** The request pipeline on its own: body limits, parse errors and the error mapper. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { loadConfig } from "../../src/config.ts";
import type { AppContext } from "../../src/context.ts";
import { ApiError } from "../../src/http/errors.ts";
import { httpPipeline } from "../../src/http/pipeline.ts";
import { silentLogger } from "../../src/ops/log.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import type { Store } from "../../src/store/store.ts";

const ctx: AppContext = {
  config: loadConfig({ MAX_BODY_SIZE: "64kb" }),
  store: {} as Store,
  log: silentLogger,
  metrics: createMetrics(),
  version: "test",
  now: () => new Date(),
};

function streamOf(chunk: string, times: number) {
  const bytes = new TextEncoder().encode(chunk);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < times) controller.enqueue(bytes);
      else controller.close();
    },
  });
}

describe("the HTTP pipeline", () => {
  let base: string;
  let stop: () => void;

  beforeAll(() => {
    const app = new Elysia()
      .use(httpPipeline(ctx))
      .post("/echo", ({ body }) => ({ received: body }))
      .post("/typed", ({ body }) => body, {
        body: t.Object({ name: t.String(), count: t.Integer() }),
      })
      .get("/conflict", () => {
        throw new ApiError(409, "already there", [{ id: "x" }]);
      })
      .get("/crash", () => {
        throw new Error("secret internals at /srv/app.ts:42");
      })
      .get("/db-down", () => {
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
          code: "ECONNREFUSED",
        });
      })
      .listen({ hostname: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${app.server?.port}`;
    stop = () => app.stop(true);
  });
  afterAll(() => stop());

  const post = (path: string, body: BodyInit, type = "application/json") =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body,
      duplex: "half",
    } as RequestInit);

  test("a JSON body within the limit is parsed", async () => {
    const response = await post("/echo", JSON.stringify({ a: [1, 2] }));
    expect(await response.json()).toEqual({ received: { a: [1, 2] } });
  });

  test("a chunked body that grows past MAX_BODY_SIZE is refused with a JSON 413", async () => {
    const response = await post("/echo", streamOf(`"${"y".repeat(16 * 1024)}",`, 8));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: "request body is larger than MAX_BODY_SIZE (65536 bytes)",
      details: [],
    });
  });

  test("malformed JSON is a 400 that says so", async () => {
    const response = await post("/echo", '{"a": ');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toStartWith("the request body is not valid JSON");
  });

  test("invalid UTF-8 is a 400", async () => {
    const response = await post("/echo", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("the request body is not valid UTF-8");
  });

  test("a form body is parsed into fields", async () => {
    const response = await post("/echo", "userid=alice&x=1", "application/x-www-form-urlencoded");
    expect(await response.json()).toEqual({ received: { userid: "alice", x: "1" } });
  });

  test("a schema violation is a 422 naming each bad field", async () => {
    const response = await post("/typed", JSON.stringify({ name: 5 }));
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error).toBe("invalid request");
    const fields = body.details.map((detail: { field: string }) => detail.field);
    expect(fields).toContain("name");
    expect(fields).toContain("count");
  });

  test("an ApiError keeps its status and details", async () => {
    const response = await fetch(`${base}/conflict`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: "already there", details: [{ id: "x" }] });
  });

  test("an unexpected error is a bare 500 without internals", async () => {
    const response = await fetch(`${base}/crash`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "internal error; see the server log", details: [] });
    expect(text).not.toContain("srv/app.ts");
  });

  test("a database that cannot be reached is a 503 with Retry-After", async () => {
    const response = await fetch(`${base}/db-down`);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await response.json()).error).toBe("the database is unavailable; retry later");
  });
});
