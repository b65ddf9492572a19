/**
 * DNS rebinding: a name that resolves to a public address for the destination check and to
 * 169.254.169.254 a moment later, when fetch resolves it again. The attempt must connect to
 * the address that was checked, while the receiver still sees its own name (Host, SNI, and
 * the certificate verified against that name).
 */
import { afterEach, describe, expect, test } from "bun:test";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Server } from "bun";
import { attemptDelivery, type FetchFunction } from "../../../src/delivery/attempt.ts";
import { type DeliverDeps, deliverClaimed } from "../../../src/delivery/deliver.ts";
import type { HostLookup } from "../../../src/delivery/ssrf.ts";
import { generateEndpointSecret } from "../../../src/lib/standard-webhooks.ts";
import { silentLogger } from "../../../src/ops/log.ts";
import { createMetrics } from "../../../src/ops/metrics.ts";
import type { ClaimedDelivery, FinishedAttempt } from "../../../src/store/deliveries.ts";

const fixture = (name: string) =>
  Bun.file(new URL(`../../fixtures/tls/${name}`, import.meta.url)).text();
const cert = await fixture("hooks.pinned.test.crt");
const key = await fixture("hooks.pinned.test.key");

/** fetch trusting the fixture certificate as its only CA, and nothing else changed. */
const trustingFixture: FetchFunction = (url, init) =>
  fetch(url, { ...init, tls: { ...init.tls, ca: cert } });

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

interface Seen {
  readonly host: string | null;
  readonly body: string;
}

/** A plain HTTP receiver on `hostname` (an address), recording what reached it. */
function receiver(hostname: string): { port: number; seen: Seen[] } {
  const seen: Seen[] = [];
  const server: Server<unknown> = Bun.serve({
    hostname,
    port: 0,
    async fetch(request) {
      seen.push({ host: request.headers.get("host"), body: await request.text() });
      return new Response("thanks");
    },
  });
  stops.push(() => server.stop(true));
  return { port: server.port as number, seen };
}

/** An HTTPS receiver on 127.0.0.1 serving the fixture certificate, recording the SNI it got. */
async function tlsReceiver(): Promise<{ port: number; seen: (Seen & { sni: unknown })[] }> {
  const seen: (Seen & { sni: unknown })[] = [];
  const server = https.createServer({ cert, key }, (request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const sni = (request.socket as { servername?: unknown }).servername;
      seen.push({ host: request.headers.host ?? null, body, sni });
      response.end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stops.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, seen };
}

/** A port nothing listens on. */
function closedPort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port as number;
  server.stop(true);
  return port;
}

/** Whether this machine has an IPv6 loopback to listen on. */
const hasIpv6Loopback = (() => {
  try {
    Bun.serve({ hostname: "::1", port: 0, fetch: () => new Response() }).stop(true);
    return true;
  } catch {
    return false;
  }
})();

const request = {
  body: '{"type":"task.update","timestamp":"2026-11-22T10:00:00.000Z","data":{}}',
  headers: { "content-type": "application/json", "webhook-id": "msg_1" },
  timeoutMs: 5_000,
};

describe("an attempt pinned to the checked address", () => {
  // hooks.pinned.test resolves nowhere: a second resolution by fetch fails, so only a
  // connection to the given address can reach the receiver.
  test("connects to that address and sends the name as Host", async () => {
    const { port, seen } = receiver("127.0.0.1");
    const result = await attemptDelivery({
      ...request,
      url: `http://hooks.pinned.test:${port}/in`,
      connectTo: ["127.0.0.1"],
    });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: "thanks" });
    expect(seen).toEqual([{ host: `hooks.pinned.test:${port}`, body: request.body }]);
  });

  test.skipIf(!hasIpv6Loopback)("connects to an IPv6 address", async () => {
    const { port, seen } = receiver("::1");
    const result = await attemptDelivery({
      ...request,
      url: `http://hooks.pinned.test:${port}/in`,
      connectTo: ["::1"],
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toEqual([{ host: `hooks.pinned.test:${port}`, body: request.body }]);
  });

  test("over TLS, sends the name as SNI and verifies the certificate against it", async () => {
    // The certificate names hooks.pinned.test only: verified against 127.0.0.1, it fails.
    const { port, seen } = await tlsReceiver();
    const result = await attemptDelivery({
      ...request,
      url: `https://hooks.pinned.test:${port}/in`,
      connectTo: ["127.0.0.1"],
      fetch: trustingFixture,
    });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: "thanks" });
    expect(seen).toEqual([
      { host: `hooks.pinned.test:${port}`, body: request.body, sni: "hooks.pinned.test" },
    ]);
  });

  test("over TLS, refuses a certificate for another name, naming host and address", async () => {
    const { port, seen } = await tlsReceiver();
    const result = await attemptDelivery({
      ...request,
      url: `https://other.pinned.test:${port}/in`,
      connectTo: ["127.0.0.1"],
      fetch: trustingFixture,
    });
    expect(result).toMatchObject({
      ok: false,
      status: undefined,
      error: "TLS certificate does not match the host (other.pinned.test at 127.0.0.1)",
    });
    expect(seen).toEqual([]);
  });

  test("over TLS, still refuses a certificate no CA vouches for", async () => {
    const { port, seen } = await tlsReceiver();
    const result = await attemptDelivery({
      ...request,
      url: `https://hooks.pinned.test:${port}/in`,
      connectTo: ["127.0.0.1"],
    });
    expect(result).toMatchObject({
      ok: false,
      status: undefined,
      error: "TLS certificate is self-signed (hooks.pinned.test at 127.0.0.1)",
    });
    expect(seen).toEqual([]);
  });

  test("over TLS, sends a name written with the root's trailing dot without it", async () => {
    const { port, seen } = await tlsReceiver();
    const result = await attemptDelivery({
      ...request,
      url: `https://hooks.pinned.test.:${port}/in`,
      connectTo: ["127.0.0.1"],
      fetch: trustingFixture,
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toEqual([
      { host: `hooks.pinned.test.:${port}`, body: request.body, sni: "hooks.pinned.test" },
    ]);
  });

  test("tries the next checked address when one refuses the connection", async () => {
    const { port, seen } = receiver("127.0.0.1");
    const result = await attemptDelivery({
      ...request,
      url: `http://hooks.pinned.test:${port}/in`,
      // Loopback, but nothing listens on 127.0.0.2: refused.
      connectTo: ["127.0.0.2", "127.0.0.1"],
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toHaveLength(1);
  });

  test("reports each address that refused, with the host name", async () => {
    const port = closedPort();
    const result = await attemptDelivery({
      ...request,
      url: `http://hooks.pinned.test:${port}/in`,
      connectTo: ["127.0.0.2", "127.0.0.1"],
    });
    expect(result).toMatchObject({
      ok: false,
      status: undefined,
      error:
        "connection refused (hooks.pinned.test at 127.0.0.2); connection refused (hooks.pinned.test at 127.0.0.1)",
    });
  });

  test("tries IPv4 addresses before IPv6 ones, each once", async () => {
    const tried: string[] = [];
    const refusing: FetchFunction = async (url) => {
      tried.push(url);
      throw Object.assign(new Error("ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    await attemptDelivery({
      ...request,
      url: "https://hooks.pinned.test/in",
      connectTo: ["2606:2800:220:1::1", "93.184.216.34", "2606:2800:220:1::2", "93.184.216.35"],
      fetch: refusing,
    });
    expect(tried).toEqual([
      "https://93.184.216.34/in",
      "https://93.184.216.35/in",
      "https://[2606:2800:220:1::1]/in",
      "https://[2606:2800:220:1::2]/in",
    ]);
  });

  test("tries no other address once a connection was made: the request may have been sent", async () => {
    const tried: string[] = [];
    const resetting: FetchFunction = async (url) => {
      tried.push(url);
      throw Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" });
    };
    const result = await attemptDelivery({
      ...request,
      url: "https://hooks.pinned.test/in",
      connectTo: ["93.184.216.34", "93.184.216.35"],
      fetch: resetting,
    });
    expect(tried).toEqual(["https://93.184.216.34/in"]);
    expect(result).toMatchObject({
      ok: false,
      error: "connection reset (hooks.pinned.test at 93.184.216.34)",
    });
  });

  test("a timeout is still reported as one", async () => {
    const hanging = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Promise<Response>(() => {}),
    });
    stops.push(() => hanging.stop(true));
    const result = await attemptDelivery({
      ...request,
      url: `http://hooks.pinned.test:${hanging.port}/in`,
      connectTo: ["127.0.0.1"],
      timeoutMs: 200,
    });
    expect(result).toMatchObject({ ok: false, status: undefined, error: "timeout after 200 ms" });
  });

  test("a URL naming an address is sent as it is", async () => {
    const calls: { url: string; init: BunFetchRequestInit }[] = [];
    const recording: FetchFunction = async (url, init) => {
      calls.push({ url, init });
      return new Response("ok");
    };
    for (const [url, address] of [
      ["https://93.184.216.34:8443/in", "93.184.216.34"],
      ["https://[2606:2800:220:1::1]/in", "2606:2800:220:1::1"],
    ] as const) {
      await attemptDelivery({ ...request, url, connectTo: [address], fetch: recording });
    }
    expect(calls.map((call) => call.url)).toEqual([
      "https://93.184.216.34:8443/in",
      "https://[2606:2800:220:1::1]/in",
    ]);
    for (const { init } of calls) {
      expect(init.headers).toEqual(request.headers);
      expect(init.tls).toBeUndefined();
    }
  });
});

/** A resolver that answers `first` once and `then` ever after: DNS rebinding. */
function rebinding(first: string, then: string) {
  const asked: string[] = [];
  const lookup: HostLookup = async (hostname) => {
    asked.push(hostname);
    return [{ address: asked.length === 1 ? first : then }];
  };
  return { lookup, asked };
}

interface Sent {
  readonly url: string;
  readonly host: string | undefined;
  readonly serverName: string | undefined;
}

/** Stands in for the network: records where each request was sent and answers 200. */
function recordingFetch() {
  const sent: Sent[] = [];
  const fetch: FetchFunction = async (url, init) => {
    const headers = init.headers as Record<string, string>;
    sent.push({ url, host: headers.host, serverName: init.tls?.serverName });
    return new Response("ok");
  };
  return { fetch, sent };
}

function claimed(url: string): ClaimedDelivery {
  return {
    delivery: { id: "dlv_1", attemptCount: 0 },
    event: { id: "evt_1", type: "task.update", occurredAt: new Date(), payload: {} },
    endpoint: { id: "ep_1", url, secret: generateEndpointSecret(), previousSecret: null },
  };
}

function deps(overrides: Partial<DeliverDeps> & Pick<DeliverDeps, "fetch">): DeliverDeps {
  return {
    recordAttempt: async (_finished: FinishedAttempt) => ({ recorded: true }),
    holder: "test",
    leaseMs: 30_000,
    settings: { scheduleMs: [1_000], timeoutMs: 5_000, allowPrivate: false, version: "0.0.0" },
    now: () => new Date(),
    log: silentLogger,
    metrics: createMetrics(),
    ...overrides,
  };
}

describe("deliverClaimed and DNS rebinding", () => {
  test("sends to the address the check approved, not to what the name says next", async () => {
    const dns = rebinding("93.184.216.34", "169.254.169.254");
    const network = recordingFetch();
    const made = await deliverClaimed(
      claimed("https://hooks.pinned.test/in?x=1"),
      deps({ lookup: dns.lookup, fetch: network.fetch }),
    );
    expect((await made.recorded).outcome).toEqual({ status: "delivered" });
    expect(network.sent).toEqual([
      {
        url: "https://93.184.216.34/in?x=1",
        host: "hooks.pinned.test",
        serverName: "hooks.pinned.test",
      },
    ]);
    // One resolution per attempt: the one that was checked.
    expect(dns.asked).toEqual(["hooks.pinned.test"]);
  });

  test("checks again before the next attempt, and sends nothing once the name turns private", async () => {
    const dns = rebinding("93.184.216.34", "169.254.169.254");
    const network = recordingFetch();
    const dependencies = deps({ lookup: dns.lookup, fetch: network.fetch });
    await deliverClaimed(claimed("http://hooks.pinned.test:8080/in"), dependencies);
    const records: FinishedAttempt[] = [];
    const second = await deliverClaimed(claimed("http://hooks.pinned.test:8080/in"), {
      ...dependencies,
      recordAttempt: async (finished) => {
        records.push(finished);
        return { recorded: true };
      },
    });
    await second.recorded;
    expect(network.sent).toEqual([
      {
        url: "http://93.184.216.34:8080/in",
        host: "hooks.pinned.test:8080",
        serverName: undefined,
      },
    ]);
    expect(records[0]?.attempt.error).toBe(
      "refused: endpoint URL resolves to a cloud metadata address (169.254.169.254); set ALLOW_PRIVATE_ENDPOINTS=true to allow it",
    );
  });

  test("with ALLOW_PRIVATE_ENDPOINTS, connects by name without a lookup", async () => {
    const dns = rebinding("93.184.216.34", "169.254.169.254");
    const network = recordingFetch();
    await deliverClaimed(
      claimed("https://hooks.pinned.test/in"),
      deps({
        lookup: dns.lookup,
        fetch: network.fetch,
        settings: { scheduleMs: [1_000], timeoutMs: 5_000, allowPrivate: true, version: "0.0.0" },
      }),
    );
    expect(network.sent).toEqual([
      { url: "https://hooks.pinned.test/in", host: undefined, serverName: undefined },
    ]);
    expect(dns.asked).toEqual([]);
  });
});
