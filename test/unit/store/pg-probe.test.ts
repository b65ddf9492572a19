/**
 * The start-up probe against real sockets on loopback: something that answers like
 * PostgreSQL, an HTTP server, an SSH-like banner, a server that closes or never answers,
 * and a port where nothing listens.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { describeProbe, probeEndpoints, probePostgres } from "../../../src/store/pg/probe.ts";
import { parsePgTarget } from "../../../src/store/pg/target.ts";
import { postgresUrl } from "../../support/databases.ts";
import { freePort } from "../../support/processes.ts";

type Reply = (socket: { write(data: string | Uint8Array): number; end(): void }) => void;

/** A TCP server that does `reply` to whatever a client sends first (or on connect). */
function server(reply: Reply, on: "open" | "data" = "data") {
  return Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open: (socket) => (on === "open" ? reply(socket) : undefined),
      data: (socket) => (on === "data" ? reply(socket) : undefined),
    },
  });
}

const postgresLike = server((socket) => socket.write("N"));
const http = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hi") });
const httpPort = http.port as number;
const ssh = server((socket) => socket.write("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), "open");
const closer = server((socket) => socket.end());
const silent = server(() => {});
afterAll(() => {
  for (const listener of [postgresLike, ssh, closer, silent]) listener.stop(true);
  http.stop(true);
});

const at = (port: number) => ({ kind: "tcp", host: "127.0.0.1", port }) as const;

describe("probePostgres", () => {
  test("a server that answers the SSLRequest with one byte is PostgreSQL", async () => {
    expect((await probePostgres(at(postgresLike.port), 1_000)).outcome).toEqual({
      kind: "postgres",
    });
  });

  test.skipIf(!postgresUrl)("so is the real one", async () => {
    const [endpoint] = parsePgTarget(postgresUrl as string).endpoints;
    expect((await probePostgres(endpoint as never, 1_000)).outcome.kind).toBe("postgres");
  });

  test("an HTTP server is not, and the message quotes what it sent", async () => {
    const result = await probePostgres(at(httpPort), 1_000);
    expect(describeProbe(result)).toBe(
      `127.0.0.1:${httpPort} answered, but not as PostgreSQL (it sent "HTTP/1.1 400 Bad Request")`,
    );
  });

  test("nor is a banner that starts with S", async () => {
    expect((await probePostgres(at(ssh.port), 1_000)).outcome).toEqual({
      kind: "not-postgres",
      sent: "SSH-2.0-OpenSSH_9.2p1 Debian-2",
    });
  });

  test("a server that closes without answering is not", async () => {
    expect((await probePostgres(at(closer.port), 1_000)).outcome).toEqual({ kind: "closed" });
  });

  test("a server that never answers is given up on at the timeout", async () => {
    const started = performance.now();
    expect((await probePostgres(at(silent.port), 150)).outcome).toEqual({
      kind: "silent",
      ms: 150,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("a port where nothing listens refuses", async () => {
    const result = await probePostgres(at(await freePort()), 1_000);
    expect(result.outcome).toEqual({ kind: "unreachable", code: "ECONNREFUSED" });
    expect(describeProbe(result)).toEndWith("connection refused (nothing listens there)");
  });

  test("a socket file that does not exist", async () => {
    const result = await probePostgres({ kind: "socket", path: "/nonexistent/.s.PGSQL.5432" }, 500);
    expect(describeProbe(result)).toBe("/nonexistent/.s.PGSQL.5432: no such socket");
  });
});

describe("probeEndpoints (several hosts in one URL)", () => {
  test("one host that is PostgreSQL is enough, as postgres.js moves on to the next", async () => {
    const closed = await freePort();
    expect(await probeEndpoints([at(closed), at(postgresLike.port)], 1_000)).toBeUndefined();
  });

  test("when none is, what was found at each", async () => {
    const closed = await freePort();
    const results = await probeEndpoints([at(closed), at(httpPort)], 1_000);
    expect(results?.map((result) => result.outcome.kind)).toEqual(["unreachable", "not-postgres"]);
  });
});
