import { afterEach, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import {
  type ConsumerOptions,
  createConsumerHandler,
  parseConsumerArgs,
} from "../../../scripts/consumer.ts";
import { buildDeliveryRequest } from "../../../src/delivery/request.ts";
import { generateEndpointSecret } from "../../../src/lib/standard-webhooks.ts";

const secret = generateEndpointSecret();
const defaults: ConsumerOptions = {
  port: 0,
  host: "127.0.0.1",
  secret,
  failRate: 0,
  failStatus: 500,
  delayMs: 0,
  retryAfterSeconds: undefined,
  quiet: false,
};

const servers: Server<unknown>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

/** The consumer in-process on a random port, with its printed lines captured. */
function startConsumer(overrides: Partial<ConsumerOptions> = {}, random = () => 0.5) {
  const lines: string[] = [];
  const handler = createConsumerHandler(
    { ...defaults, ...overrides },
    {
      log: (line) => lines.push(line),
      random,
    },
  );
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  servers.push(server);
  return { url: server.url.href, lines };
}

function delivery(messageId: string, signWith = secret) {
  return buildDeliveryRequest({
    messageId,
    type: "task.update",
    timestamp: new Date(),
    data: { id: 42, title: "ship it" },
    secret: signWith,
    version: "test",
  });
}

function post(url: string, request: { body: string; headers: Readonly<Record<string, string>> }) {
  return fetch(url, { method: "POST", body: request.body, headers: request.headers });
}

describe("scripts/consumer.ts", () => {
  test("accepts a correctly signed delivery and prints its id, type and data", async () => {
    const consumer = startConsumer();
    const response = await post(consumer.url, delivery("msg_a"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(consumer.lines).toHaveLength(1);
    expect(consumer.lines[0]).toContain('msg_a task.update {"id":42,"title":"ship it"} → 200');
    expect(consumer.lines[0]).not.toContain("redelivery");
  });

  test("rejects a delivery signed with another secret with 401 and a JSON error", async () => {
    const consumer = startConsumer();
    const response = await post(consumer.url, delivery("msg_b", generateEndpointSecret()));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: "signature verification failed: No matching signature found",
    });
    expect(consumer.lines[0]).toContain("msg_b rejected");
  });

  test("rejects a tampered body", async () => {
    const consumer = startConsumer();
    const signed = delivery("msg_c");
    const response = await post(consumer.url, { ...signed, body: signed.body.replace("42", "43") });
    expect(response.status).toBe(401);
  });

  test("accepts anything when no secret is given", async () => {
    const consumer = startConsumer({ secret: undefined });
    const response = await post(consumer.url, delivery("msg_d", generateEndpointSecret()));
    expect(response.status).toBe(200);
  });

  test("at fail rate 1 answers every request with the chosen status and Retry-After", async () => {
    const consumer = startConsumer(
      { failRate: 1, failStatus: 503, retryAfterSeconds: 7 },
      () => 0.99,
    );
    const response = await post(consumer.url, delivery("msg_e"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({ error: "simulated failure" });
    expect(consumer.lines[0]).toContain("→ 503 simulated failure");
  });

  test("fails only the drawn fraction of requests", async () => {
    const draws = [0.1, 0.5];
    const consumer = startConsumer({ failRate: 0.3 }, () => draws.shift() ?? 0);
    expect((await post(consumer.url, delivery("msg_f1"))).status).toBe(500);
    expect((await post(consumer.url, delivery("msg_f2"))).status).toBe(200);
  });

  test("notices a redelivery of a webhook-id it has seen", async () => {
    const consumer = startConsumer();
    await post(consumer.url, delivery("msg_g"));
    await post(consumer.url, delivery("msg_g"));
    expect(consumer.lines[0]).not.toContain("redelivery");
    expect(consumer.lines[1]).toContain("(redelivery: seen 2 times)");
  });

  test("waits --delay before answering", async () => {
    const consumer = startConsumer({ delayMs: 150 });
    const started = performance.now();
    expect((await post(consumer.url, delivery("msg_h"))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test("prints nothing per message when quiet", async () => {
    const consumer = startConsumer({ quiet: true });
    expect((await post(consumer.url, delivery("msg_i"))).status).toBe(200);
    expect(consumer.lines).toEqual([]);
  });

  test("refuses methods other than POST", async () => {
    const consumer = startConsumer();
    expect((await fetch(consumer.url)).status).toBe(405);
  });
});

describe("parseConsumerArgs", () => {
  test("reads every flag", () => {
    const options = parseConsumerArgs([
      "--port",
      "9001",
      "--secret",
      secret,
      "--fail-rate",
      "0.3",
      "--status",
      "503",
      "--delay",
      "2s",
      "--retry-after",
      "1",
      "--quiet",
    ]);
    expect(options).toEqual({
      port: 9001,
      host: "127.0.0.1",
      secret,
      failRate: 0.3,
      failStatus: 503,
      delayMs: 2_000,
      retryAfterSeconds: 1,
      quiet: true,
    });
  });

  test("defaults to port 9000, no failures, no delay", () => {
    expect(parseConsumerArgs([])).toEqual({ ...defaults, port: 9000, secret: undefined });
  });

  test.each([
    [["--port", "http"], "--port"],
    [["--fail-rate", "1.5"], "--fail-rate"],
    [["--fail-rate", "lots"], "--fail-rate"],
    [["--status", "200"], "--status"],
    [["--delay", "2"], "--delay"],
    [["--retry-after", "soon"], "--retry-after"],
    [["--secret", "whsec_!!"], "--secret"],
    [["--bogus"], "bogus"],
  ])("refuses %p", (argv, flag) => {
    const result = parseConsumerArgs(argv);
    expect(result).toHaveProperty("error");
    if ("error" in result) expect(result.error).toContain(flag);
  });
});
