import { afterEach, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { Webhook } from "svix";
import { attemptDelivery, buildDeliveryRequest } from "../../../src/delivery/attempt.ts";
import { generateEndpointSecret } from "../../../src/lib/standard-webhooks.ts";

const servers: Server<unknown>[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

/** A receiver on 127.0.0.1 with a random port, stopped after the test. */
function receiver(handle: (request: Request) => Response | Promise<Response>): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  servers.push(server);
  return server.url.href;
}

const request = {
  body: '{"type":"task.update","timestamp":"2026-11-22T10:00:00.000Z","data":{}}',
  headers: { "content-type": "application/json", "webhook-id": "msg_1" },
  timeoutMs: 5_000,
};

describe("attemptDelivery", () => {
  test("a 200 is a success with the response body", async () => {
    let received: { method: string; body: string; id: string | null } | undefined;
    const url = receiver(async (req) => {
      received = { method: req.method, body: await req.text(), id: req.headers.get("webhook-id") };
      return new Response("thanks");
    });
    const result = await attemptDelivery({ ...request, url });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: "thanks" });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toEqual({ method: "POST", body: request.body, id: "msg_1" });
  });

  test("a 204 without a body is a success", async () => {
    const url = receiver(() => new Response(null, { status: 204 }));
    expect(await attemptDelivery({ ...request, url })).toMatchObject({
      ok: true,
      status: 204,
      responseBody: "",
    });
  });

  test("a 500 fails with its status and body", async () => {
    const url = receiver(() => new Response("database down", { status: 500 }));
    const result = await attemptDelivery({ ...request, url });
    expect(result).toMatchObject({
      ok: false,
      status: 500,
      error: "HTTP 500",
      responseBody: "database down",
    });
    expect(result).not.toHaveProperty("retryAfterMs");
  });

  test("a 429 reports its Retry-After in milliseconds", async () => {
    const url = receiver(
      () => new Response("slow down", { status: 429, headers: { "retry-after": "30" } }),
    );
    expect(await attemptDelivery({ ...request, url })).toMatchObject({
      ok: false,
      status: 429,
      error: "HTTP 429",
      retryAfterMs: 30_000,
    });
  });

  test("a 410 fails with status 410", async () => {
    const url = receiver(() => new Response("gone", { status: 410 }));
    expect(await attemptDelivery({ ...request, url })).toMatchObject({ ok: false, status: 410 });
  });

  test("a redirect is a failure and is not followed", async () => {
    let followed = false;
    const target = receiver(() => {
      followed = true;
      return new Response("ok");
    });
    const url = receiver(() => Response.redirect(target, 307));
    const result = await attemptDelivery({ ...request, url });
    expect(result).toMatchObject({
      ok: false,
      status: 307,
      error: `HTTP 307: redirect to ${target} not followed`,
    });
    expect(followed).toBe(false);
  });

  test("a receiver that never answers times out", async () => {
    let arrived: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const url = receiver(() => {
      arrived();
      return new Promise<Response>(() => {});
    });
    const result = await attemptDelivery({ ...request, url, timeoutMs: 200 });
    await requestArrived;
    expect(result).toMatchObject({ ok: false, status: undefined, error: "timeout after 200 ms" });
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  test("a 200 whose body stalls past the timeout is a failure", async () => {
    const url = receiver(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("partial"));
            },
          }),
        ),
    );
    const result = await attemptDelivery({ ...request, url, timeoutMs: 200 });
    expect(result).toMatchObject({
      ok: false,
      status: 200,
      error: "timeout after 200 ms while reading the response",
    });
  });

  test("a 200 that declares a short body and stalls before its end is a failure", async () => {
    // Raw TCP: a Response object would not keep a Content-Length it cannot honour.
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(socket) {
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart");
        },
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}/`;
      const result = await attemptDelivery({ ...request, url, timeoutMs: 200 });
      expect(result).toMatchObject({
        ok: false,
        status: 200,
        error: "timeout after 200 ms while reading the response",
      });
      expect(result.durationMs).toBeLessThan(2_000);
    } finally {
      server.stop(true);
    }
  });

  test("a short body of declared length is read whole", async () => {
    const url = receiver(() => new Response("accepted", { headers: { "content-length": "8" } }));
    expect(await attemptDelivery({ ...request, url })).toMatchObject({
      ok: true,
      status: 200,
      responseBody: "accepted",
    });
  });

  test("a receiver streaming a huge body is read for 4 KB only, and quickly", async () => {
    let chunksSent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const url = receiver(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              chunksSent++;
              controller.enqueue(chunk); // endless: 64 KB per pull, forever
            },
          }),
          { status: 500 },
        ),
    );
    const result = await attemptDelivery({ ...request, url, timeoutMs: 10_000 });
    expect(result).toMatchObject({ ok: false, status: 500, error: "HTTP 500" });
    expect(result.responseBody).toBe("a".repeat(4096));
    expect(result.durationMs).toBeLessThan(2_000);
    expect(chunksSent).toBeLessThan(1_000); // far less than "all of it", which is infinite
  });

  test("honours a smaller response limit", async () => {
    const url = receiver(() => new Response("0123456789"));
    const result = await attemptDelivery({ ...request, url, maxResponseBytes: 4 });
    expect(result).toMatchObject({ ok: true, responseBody: "0123" });
  });

  test("a closed port is a refused connection", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const url = closed.url.href;
    closed.stop(true);
    const result = await attemptDelivery({ ...request, url });
    expect(result).toMatchObject({
      ok: false,
      status: undefined,
      error: "connection refused",
      responseBody: "",
    });
  });

  test("never throws, whatever fetch does", async () => {
    const fetch = () => Promise.reject(new Error("something odd"));
    const result = await attemptDelivery({ ...request, url: "http://192.0.2.1/", fetch });
    expect(result).toMatchObject({ ok: false, status: undefined, error: "something odd" });
  });

  test("names unknown error codes with their message", async () => {
    const fetch = () => Promise.reject(Object.assign(new Error("weird"), { code: "EWEIRD" }));
    const result = await attemptDelivery({ ...request, url: "http://192.0.2.1/", fetch });
    expect(result).toMatchObject({ ok: false, error: "EWEIRD: weird" });
  });

  test("sends with redirect: manual and an abort signal", async () => {
    let init: RequestInit | undefined;
    const fetch = async (_url: string, given: RequestInit) => {
      init = given;
      return new Response("ok");
    };
    await attemptDelivery({ ...request, url: "http://192.0.2.1/", fetch });
    expect(init?.redirect).toBe("manual");
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    expect(init?.method).toBe("POST");
  });

  test("a built request arrives as svix's Webhook.verify accepts it", async () => {
    const secret = generateEndpointSecret();
    const url = receiver(async (req) => {
      try {
        new Webhook(secret).verify(await req.text(), Object.fromEntries(req.headers));
        return new Response(`verified ${req.headers.get("user-agent")}`);
      } catch (error) {
        return new Response(String(error), { status: 401 });
      }
    });
    const built = buildDeliveryRequest({
      messageId: "msg_2",
      type: "task.update",
      timestamp: new Date(),
      data: { id: 7, note: "héllo" },
      secret,
      version: "0.1.0",
    });
    const result = await attemptDelivery({ ...built, url, timeoutMs: 5_000 });
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      responseBody: "verified hookyard/0.1.0",
    });
  });
});
