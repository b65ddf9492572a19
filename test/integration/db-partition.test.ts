/**
 * A network partition between hookyard and PostgreSQL: every packet held, no reset, so a
 * query waits on TCP instead of failing (test/support/tcp-proxy.ts `stall()`). Requests
 * must answer 503 once the request query limit has passed, not hang until Bun cuts the
 * connection; and work again, without a restart, once the network is back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase, postgresUrl, type TestDatabase } from "../support/databases.ts";
import { type Answer, send } from "../support/outage-load.ts";
import { startTcpProxy, type TcpProxy, targetOf, viaProxy } from "../support/tcp-proxy.ts";

const GITHUB_SECRET = "partition-github-secret";
/** The request query limit here, instead of the 8 s in production. */
const LIMIT_MS = 400;

/** A read per part of the API, and the dashboard. */
const READS = [
  "/events",
  "/events/00000000-0000-7000-8000-000000000000",
  "/entities/task-1",
  "/changes",
  "/endpoints",
  "/deliveries",
  "/relay/messages",
  "/webhook",
  "/metrics",
  "/dashboard",
] as const;

interface Timed {
  readonly path: string;
  readonly status: number | "error";
  readonly ms: number;
  readonly retryAfter: string | null;
  readonly error: unknown;
}

describe.skipIf(!postgresUrl)("PostgreSQL behind a network partition", () => {
  let proxy: TcpProxy;
  let database: TestDatabase;
  let app: TestApp;
  let n = 0;

  const read = async (path: string): Promise<Timed> => {
    const started = performance.now();
    try {
      const response = await app.request(path, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      return {
        path,
        status: response.status,
        ms: performance.now() - started,
        retryAfter: response.headers.get("retry-after"),
        error: response.headers.get("content-type")?.includes("json")
          ? (JSON.parse(body) as { error?: unknown }).error
          : undefined,
      };
    } catch (error) {
      return { path, status: "error", ms: performance.now() - started, retryAfter: null, error };
    }
  };
  const ingest = (): Promise<Answer> =>
    send("github", n++, {
      baseUrl: app.url,
      githubSecret: GITHUB_SECRET,
      hookId: "",
      phase: () => "",
      requestTimeoutMs: 5_000,
    });

  beforeAll(async () => {
    if (!postgresUrl) return;
    proxy = await startTcpProxy(targetOf(postgresUrl));
    database = await createTestDatabase("postgres");
    if (database.target.kind !== "postgres") throw new Error("unreachable");
    app = await startTestApp("postgres", {
      database: {
        ...database,
        target: { kind: "postgres", url: viaProxy(database.target.url, proxy) },
      },
      settings: { GITHUB_WEBHOOK_SECRET: GITHUB_SECRET },
      app: { requestQueryLimitMs: LIMIT_MS },
    });
  });
  afterAll(async () => {
    proxy?.resume();
    await app?.stop();
    await proxy?.close();
    await database?.drop();
  });

  test("reads, the dashboard and ingestion answer 503 while it lasts, and work once it is over", async () => {
    // Each read once before, so the pool's connections are open when the network stalls.
    for (const path of READS) expect((await read(path)).status).toBeLessThan(500);

    proxy.stall();
    let during: Timed[];
    let ingested: Answer;
    try {
      [ingested, ...during] = await Promise.all([ingest(), ...READS.map(read)]);
    } finally {
      proxy.resume();
    }
    // A scrape answers with the queue gauges it last had rather than fail (ops/metrics.ts).
    const answerDuring = (path: string) => (path === "/metrics" ? 200 : 503);
    expect(during.map((r) => ({ path: r.path, status: r.status }))).toEqual(
      READS.map((path) => ({ path, status: answerDuring(path) })),
    );
    for (const r of during) {
      // The limit, plus the time to send the answer, on a busy machine.
      expect(r.ms).toBeLessThan(LIMIT_MS + 1_500);
      if (r.status === 503) expect(r.retryAfter).not.toBeNull();
    }
    expect(during.find((r) => r.path === "/events")?.error).toBe(
      `the database did not answer within ${LIMIT_MS} ms; retry later`,
    );
    expect(ingested.status).toBe(503);

    // Back: every read and a new delivery answer as before, with no restart.
    for (const path of READS)
      expect({ path, status: (await read(path)).status }).toEqual({
        path,
        status: path.startsWith("/events/") || path.startsWith("/entities/") ? 404 : 200,
      });
    expect((await ingest()).status).toBe(201);
  }, 30_000);
});
