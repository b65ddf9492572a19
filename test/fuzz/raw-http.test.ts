/**
 * What no HTTP client library would send, over raw TCP: clients that trickle their
 * headers or body (slowloris), CR/LF and NUL inside header values, request smuggling
 * framings, enormous headers, unknown methods and unnormalised path traversal.
 *
 * Much of this is refused by Bun's HTTP parser before any hookyard code runs, with a bare
 * 400, 431 or 505, or by closing the connection (unknown methods): the app cannot shape
 * those answers, so for them the tests ask that nothing was accepted and the server
 * stays healthy. Whatever reaches the app must get the app's own JSON error.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { IDLE_TIMEOUT_SECONDS } from "../../src/app.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { type DialectName, dialects } from "../support/databases.ts";
import { expectHealthy } from "./hostile.ts";

/**
 * How late a slow client may be cut off: the idle timeout, plus the 4 s granularity of
 * Bun's (uWebSockets') timeout sweep, plus a margin for a loaded machine.
 */
const CUT_OFF_BOUND_MS = (IDLE_TIMEOUT_SECONDS + 4 + 3) * 1000;

interface RawAnswer {
  /** Everything the server sent before it closed. */
  readonly text: string;
  /** The status of the first response, or undefined when none came. */
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Milliseconds from connecting to the close. */
  readonly ms: number;
}

/**
 * Opens a connection, writes `first`, then (when `drip` is given) one more byte of it
 * each second, until the server closes. Resolves on the close; a connection still open
 * after `giveUpMs` is destroyed so a broken bound fails the test instead of hanging it.
 */
function rawExchange(
  port: number,
  first: string | Buffer,
  options: { drip?: string; giveUpMs?: number } = {},
): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let dripped = 0;
    let timer: Timer | undefined;
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(first);
      const drip = options.drip;
      if (drip !== undefined) {
        timer = setInterval(() => {
          if (!socket.destroyed) socket.write(drip[dripped++ % drip.length] as string);
        }, 1000);
      }
    });
    const giveUp = setTimeout(() => socket.destroy(), options.giveUpMs ?? 10_000);
    socket.on("data", (chunk) => chunks.push(Buffer.from(chunk)));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", body = ""] = text.split("\r\n\r\n", 2);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({
        text,
        status: status === undefined ? undefined : Number(status),
        contentType: /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1],
        body,
        ms: performance.now() - started,
      });
    });
  });
}

const request = (port: number, lines: string[], body = "") =>
  `${[...lines, `Host: 127.0.0.1:${port}`, "Connection: close"].join("\r\n")}\r\n\r\n${body}`;

const ENTITY_EVENT = JSON.stringify({
  action: "create",
  entity_type: "task",
  time: "2026-11-22T10:00:00Z",
  payload: { id: "raw-1" },
});

const apps = new Map<DialectName, TestApp>();
const portOf = (dialect: DialectName) => Number(new URL((apps.get(dialect) as TestApp).url).port);
const storedEvents = async (dialect: DialectName) =>
  (await (apps.get(dialect) as TestApp).store.events.list({}, { limit: 500 })).items.length;

/** Slow clients opened before every other test here, so the others run while they hang on. */
const slowClients = new Map<DialectName, Promise<RawAnswer>[]>();

beforeAll(async () => {
  for (const dialect of dialects) {
    const app = await startTestApp(dialect);
    apps.set(dialect, app);
    const port = portOf(dialect);
    const giveUpMs = CUT_OFF_BOUND_MS + 5_000;
    slowClients.set(dialect, [
      // Headers never finished.
      rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`, { giveUpMs }),
      // Headers trickled, a byte a second.
      rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `, {
        drip: "abcdef",
        giveUpMs,
      }),
      // A body trickled, a byte a second, to a route that would store it.
      rawExchange(
        port,
        request(
          port,
          [
            "POST /webhooks/event HTTP/1.1",
            "Content-Type: application/json",
            `Content-Length: ${ENTITY_EVENT.length}`,
          ],
          ENTITY_EVENT.slice(0, 10),
        ),
        { drip: ENTITY_EVENT.slice(10), giveUpMs },
      ),
    ]);
  }
});
afterAll(async () => {
  for (const app of apps.values()) await app.stop();
});

for (const dialect of dialects) {
  describe(`malformed requests over raw TCP (${dialect})`, () => {
    test("CR, LF and NUL inside header values, and broken header lines, are refused by the parser", async () => {
      const port = portOf(dialect);
      const injected = [
        "X-GitHub-Event: push\rX-Injected: 1",
        "X-GitHub-Event: pu\0sh",
        "X-GitHub-Event: push\r\n X-Folded: 1",
        "X GitHub-Event: push",
        "X-GitHub-Event push",
        "X-GitHub-Event : push",
        "X-GitHüb-Event: push",
      ];
      for (const line of injected) {
        const answer = await rawExchange(
          port,
          request(port, ["POST /webhooks/github HTTP/1.1", line, "Content-Length: 2"], "{}"),
        );
        expect({ line, status: answer.status }).toEqual({ line, status: 400 });
      }
      await expectHealthy(apps.get(dialect) as TestApp);
    });

    test("a header value of bytes above 0x7F reaches the app and gets its JSON error", async () => {
      const port = portOf(dialect);
      const answer = await rawExchange(
        port,
        Buffer.from(
          request(
            port,
            [
              "POST /webhooks/github HTTP/1.1",
              "X-GitHub-Event: pu\xffsh",
              "Content-Type: application/json",
              "Content-Length: 2",
            ],
            "{}",
          ),
          "latin1",
        ),
      );
      expect(answer.status).toBe(400);
      expect(answer.contentType).toBe("application/json");
      expect(JSON.parse(answer.body).error).toContain("X-GitHub-Event");
    });

    test("smuggling framings (two lengths, length and chunked, bad chunks) are refused and store nothing", async () => {
      const port = portOf(dialect);
      const before = await storedEvents(dialect);
      const post = ["POST /webhooks/event HTTP/1.1", "Content-Type: application/json"];
      const chunked = `${ENTITY_EVENT.length.toString(16)}\r\n${ENTITY_EVENT}\r\n0\r\n\r\n`;
      const framings: [string[], string][] = [
        [[`Content-Length: ${ENTITY_EVENT.length}`, "Content-Length: 5"], ENTITY_EVENT],
        [[`Content-Length: ${ENTITY_EVENT.length}, ${ENTITY_EVENT.length}`], ENTITY_EVENT],
        [["Content-Length: 4", "Transfer-Encoding: chunked"], chunked],
        [["Transfer-Encoding: xchunked"], ENTITY_EVENT],
        [["Transfer-Encoding: chunked"], `zz\r\n${ENTITY_EVENT}\r\n0\r\n\r\n`],
        [["Content-Length: -1"], ENTITY_EVENT],
        [["Content-Length: 99999999999999999999"], ENTITY_EVENT],
      ];
      for (const [headers, body] of framings) {
        const answer = await rawExchange(port, request(port, [...post, ...headers], body));
        expect({ headers, status: answer.status }).toEqual({ headers, status: 400 });
      }
      expect(await storedEvents(dialect)).toBe(before);
    });

    test("headers of 100 KB, 1 MB, or five thousand of them, get a 431 and the connection closed", async () => {
      const port = portOf(dialect);
      const huge = [
        [`X-GitHub-Event: ${"a".repeat(100 * 1024)}`],
        [`X-GitHub-Event: ${"a".repeat(1024 * 1024)}`],
        Array.from({ length: 5000 }, (_, i) => `X-H${i}: v`),
      ];
      for (const headers of huge) {
        const answer = await rawExchange(
          port,
          request(port, ["POST /webhooks/github HTTP/1.1", ...headers, "Content-Length: 2"], "{}"),
        );
        expect(answer.status).toBe(431);
      }
      await expectHealthy(apps.get(dialect) as TestApp);
    });

    test("unknown methods get a JSON 404 from the app, or the parser closes the connection", async () => {
      const port = portOf(dialect);
      for (const method of ["FOO", "BREW", "get", "PROPFIND", "MKCOL", "A".repeat(5000)]) {
        for (const path of ["/events", "/webhooks/github", "/dashboard", "/healthz"]) {
          const answer = await rawExchange(port, request(port, [`${method} ${path} HTTP/1.1`]));
          const sent = `${method.slice(0, 10)} ${path}`;
          if (answer.status === undefined) {
            expect({ sent, text: answer.text }).toEqual({ sent, text: "" });
            continue;
          }
          expect({ sent, status: answer.status, type: answer.contentType }).toEqual({
            sent,
            status: 404,
            type: "application/json",
          });
        }
      }
      await expectHealthy(apps.get(dialect) as TestApp);
    });

    test("path traversal, unnormalised, never reaches a file and answers 404", async () => {
      const port = portOf(dialect);
      const targets = [
        "/events/../../etc/passwd",
        "/events/..%2F..%2Fetc%2Fpasswd",
        "/dashboard/events/%2e%2e",
        "/dashboard/events/..",
        "/dashboard/assets/..%2F..%2F..%2Fetc%2Fpasswd",
        "/dashboard/assets/../../package.json",
        "/openapi/assets/..%2F..%2Fpackage.json",
        "/webhook/..%5C..%5Cwindows%5Cwin.ini",
        "//etc/passwd",
      ];
      for (const target of targets) {
        const answer = await rawExchange(port, request(port, [`GET ${target} HTTP/1.1`]));
        expect({ target, status: answer.status }).toEqual({ target, status: 404 });
        expect(answer.body).not.toContain("root:");
        expect(answer.body).not.toContain('"devDependencies"');
        if (!target.startsWith("/dashboard")) expect(answer.contentType).toBe("application/json");
      }
    });
  });
}

describe("slow clients (slowloris)", () => {
  test(`each is cut off within ${CUT_OFF_BOUND_MS / 1000} s, while the server answers others`, async () => {
    const pending = dialects.flatMap((dialect) => slowClients.get(dialect) ?? []);
    let done = false;
    const answered = Promise.all(pending).finally(() => {
      done = true;
    });
    // Others keep being answered promptly while the slow clients hang on.
    let slowest = 0;
    let probes = 0;
    while (!done) {
      for (const app of apps.values()) {
        const started = performance.now();
        expect((await app.request("/healthz")).status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
        probes++;
      }
      // Paces the probes; the loop ends on the slow clients' closes, not on a timer.
      await Promise.race([answered, Bun.sleep(500)]);
    }
    const answers = await answered;
    expect(probes).toBeGreaterThan(2);
    expect(slowest).toBeLessThan(2000);
    for (const answer of answers) {
      expect(answer.ms).toBeLessThan(CUT_OFF_BOUND_MS);
      // Cut off, not answered: nothing of the trickled body was taken as a request.
      expect(answer.status === undefined || answer.status >= 400).toBe(true);
    }
    // Nothing in this file stores an event, the trickled one included.
    for (const dialect of dialects) expect(await storedEvents(dialect)).toBe(0);
  }, 60_000);
});
