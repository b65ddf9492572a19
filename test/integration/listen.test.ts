/**
 * `hookyard listen` as a user runs it (`bun src/main.ts listen …`, a child process) against
 * a real hookyard and a local receiver: every event forwarded once and in order, across a
 * cut connection and a restart, a replayed window, and the ways it stops.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventIdFloor, timeOfEventId } from "../../src/listen/resume.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { createTestDatabase, type DialectName, dialects } from "../support/databases.ts";
import { freePort, root } from "../support/processes.ts";
import { type Receiver, startReceiver, status, withTimeout } from "../support/receiver.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

const TOKEN = "listen-test-token";
const WAIT_MS = 20_000;

interface ListenProcess {
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Resolves once `done()` holds, checked after every line either stream gives. */
  until(done: () => boolean, what: string): Promise<void>;
  /** Resolves once `count` stderr lines match `pattern`. */
  untilStatus(pattern: RegExp, count?: number): Promise<void>;
  readonly exited: Promise<number>;
  stop(signal?: "SIGTERM" | "SIGINT" | "SIGKILL"): Promise<number>;
}

function startListen(args: readonly string[], env: Record<string, string> = {}): ListenProcess {
  const child = Bun.spawn(["bun", join(root, "src", "main.ts"), "listen", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ done: () => boolean; resolve: () => void }>();
  const onLine = () => {
    for (const waiter of waiters) {
      if (!waiter.done()) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  };
  const readLines = async (stream: ReadableStream<Uint8Array>, into: string[]) => {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of stream) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop() ?? "";
      into.push(...lines);
      onLine();
    }
  };
  const read = Promise.all([readLines(child.stdout, stdout), readLines(child.stderr, stderr)]);
  const wait = (done: () => boolean, what: string) => {
    if (done()) return Promise.resolve();
    const waiter = { done, resolve: () => {} };
    const reached = new Promise<void>((resolve) => {
      waiter.resolve = resolve;
      waiters.add(waiter);
    });
    return withTimeout(reached, WAIT_MS, () => `${what}; stderr:\n${stderr.join("\n")}`).finally(
      () => waiters.delete(waiter),
    );
  };
  return {
    stdout,
    stderr,
    until: wait,
    untilStatus: (pattern, count = 1) =>
      wait(
        () => stderr.filter((line) => pattern.test(line)).length >= count,
        `listen did not print ${count} status line(s) matching ${pattern}`,
      ),
    exited: read.then(() => child.exited),
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      await read;
      return child.exited;
    },
  };
}

/** POST /trigger/<type> with `payload`; the stored event's id. */
async function trigger(url: string, type: string, payload: unknown): Promise<string> {
  const response = await fetch(`${url}/trigger/${type}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      "user-agent": "billing-service/1.4",
    },
    body: JSON.stringify(payload),
  });
  if (response.status !== 202)
    throw new Error(`trigger: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { event_id: string }).event_id;
}

const forwardedIds = (receiver: Receiver) =>
  receiver.requests.map((request) => request.headers.get("x-hookyard-event-id"));

/**
 * Posts one more event and awaits it: had anything been forwarded twice or out of
 * filter, it came before this one, and the receiver's count is off.
 */
async function expectExactly(
  receiver: Receiver,
  url: string,
  type: string,
  ids: readonly string[],
): Promise<void> {
  const last = await trigger(url, type, { last: true });
  await receiver.waitFor(ids.length + 1, WAIT_MS);
  expect(forwardedIds(receiver)).toEqual([...ids, last]);
}

function listenArgs(from: string, receiver: Receiver, ...more: string[]): string[] {
  return ["--from", from, "--token", TOKEN, "--forward", receiver.url, ...more];
}

function storedEvent(type: string): NewEvent {
  const now = new Date();
  return {
    source: "trigger",
    type,
    occurredAt: now,
    receivedAt: now,
    payload: { stored: type },
    headers: {},
  };
}

for (const dialect of dialects) {
  describe(`hookyard listen (${dialect})`, () => {
    let app: TestApp;
    const running: ListenProcess[] = [];
    const receivers: Receiver[] = [];
    const listenTo = (args: readonly string[], env: Record<string, string> = {}) => {
      const listening = startListen(args, env);
      running.push(listening);
      return listening;
    };
    const receiver = (respond?: Parameters<typeof startReceiver>[0]) => {
      const started = startReceiver(respond);
      receivers.push(started);
      return started;
    };

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ADMIN_TOKEN: TOKEN } });
    });
    afterAll(async () => {
      await Promise.all(running.map((listening) => listening.stop("SIGKILL")));
      await Promise.all(receivers.map((r) => r.stop()));
      await app.stop();
    });

    test("forwards each event once, in order, with its headers and body, and logs each", async () => {
      const local = receiver();
      const listening = listenTo(listenArgs(app.url, local, "--type", "order.*"));
      await listening.untilStatus(/^connected to /);
      const ids: string[] = [];
      for (let n = 1; n <= 5; n++) {
        ids.push(await trigger(app.url, `order.step${n}`, { n }));
        // Not under --type: must not reach the local app.
        await trigger(app.url, "other.step", { n });
      }
      const received = await local.waitFor(5, WAIT_MS);
      expect(forwardedIds(local)).toEqual(ids);
      expect(received.map((request) => request.body)).toEqual(
        [1, 2, 3, 4, 5].map((n) => JSON.stringify({ n })),
      );
      for (const request of received) {
        expect(request.headers.get("content-type")).toBe("application/json");
        expect(request.headers.get("user-agent")).toBe("billing-service/1.4");
        expect(request.headers.get("authorization")).toBeNull();
      }
      await listening.until(() => listening.stdout.length >= 5, "five lines on stdout");
      expect(listening.stdout.slice(0, 5)).toEqual(
        ids.map((id, i) =>
          expect.stringMatching(
            new RegExp(
              `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  order\\.step${i + 1}  ${id}  → 200 in \\d+ ms$`,
            ),
          ),
        ),
      );
      await expectExactly(local, app.url, "order.last", ids);
      expect(await listening.stop("SIGTERM")).toBe(0);
    });

    test("an event from a source goes on with its raw body and headers as received", async () => {
      const local = receiver();
      const created = await fetch(`${app.url}/sources`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: `shop-${dialect}`,
          verifier: { type: "api-key", header: "x-api-key", secret: "key-123456" },
        }),
      });
      expect(created.status).toBe(201);
      const listening = listenTo(listenArgs(app.url, local, "--source", `shop-${dialect}`));
      await listening.untilStatus(/^connected to /);
      // Form-encoded, spaced oddly: what arrives must be these bytes, not a re-encoding.
      const body = "topic=orders%2Fpaid&amount=10&note=caf%C3%A9+ok  ";
      const sent = await fetch(`${app.url}/in/shop-${dialect}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-api-key": "key-123456",
          "x-shop-topic": "orders/paid",
          "user-agent": "Shopify-Captain-Hook",
        },
        body,
      });
      expect(sent.status).toBeLessThan(300);
      const [request] = await local.waitFor(1, WAIT_MS);
      expect(request?.body).toBe(body);
      expect(request?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
      expect(request?.headers.get("x-shop-topic")).toBe("orders/paid");
      expect(request?.headers.get("user-agent")).toBe("Shopify-Captain-Hook");
      // The credential hookyard checked was never stored, so it is not sent on either.
      expect(request?.headers.get("x-api-key")).toBeNull();
      expect(request?.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
      expect(await listening.stop()).toBe(0);
    });

    test("a stream cut mid-way resumes where it stopped: every event forwarded once, in order", async () => {
      // The local app holds its answer to the third event: listen is then in the middle of
      // the stream, with more events sent to it and not yet read, when the way is cut.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const local = receiver(async (request) => {
        if (request.index === 2) await held;
        return new Response("ok");
      });
      const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(app.url).port) });
      try {
        const listening = listenTo(
          listenArgs(`http://127.0.0.1:${proxy.port}`, local, "--type", "cut.*"),
        );
        await listening.untilStatus(/^connected to /);
        const ids: string[] = [];
        const post = async (count: number) => {
          for (let n = 0; n < count; n++) ids.push(await trigger(app.url, "cut.event", { n }));
        };
        await post(10);
        await local.waitFor(3, WAIT_MS);
        await proxy.cut();
        // Events keep coming while listen cannot reach hookyard.
        await post(5);
        release();
        // The cut, then at least one attempt refused while the way is closed.
        await listening.untilStatus(/reconnecting in/, 2);
        await post(5);
        await proxy.restore();
        await listening.untilStatus(/^connected to .*, resuming after [0-9a-f-]{36};/);
        await post(5);
        await expectExactly(local, app.url, "cut.last", ids);
        expect(listening.stderr).toContainEqual(
          expect.stringMatching(/^the stream was cut: .*; reconnecting in 0\.5 s$/),
        );
        expect(await listening.stop("SIGINT")).toBe(0);
      } finally {
        release();
        await proxy.close();
      }
    });

    test("--replay-since forwards the events stored before it started, then live ones, none twice", async () => {
      const local = receiver();
      const before = [];
      for (let n = 0; n < 3; n++) before.push(await trigger(app.url, "replay.event", { n }));
      const listening = listenTo(
        listenArgs(app.url, local, "--type", "replay.*", "--replay-since", "1h"),
      );
      await listening.untilStatus(/^replaying the events stored since .* \(1h ago\), then live$/);
      await local.waitFor(3, WAIT_MS);
      expect(forwardedIds(local)).toEqual(before);
      const live = [await trigger(app.url, "replay.event", { n: 3 })];
      live.push(await trigger(app.url, "replay.event", { n: 4 }));
      await expectExactly(local, app.url, "replay.last", [...before, ...live]);
      expect(await listening.stop()).toBe(0);
    });

    test("the replayed window starts at its first millisecond: nothing older comes", async () => {
      // In process, with the clock moved, so the window's start falls between two events.
      const { listen, abortableSleep } = await import("../../src/listen/listen.ts");
      const local = receiver();
      const older = await trigger(app.url, "window.event", { n: 0 });
      const olderMs = timeOfEventId(older) as number;
      await until(
        () => Date.now() > olderMs,
        1_000,
        () => "the clock did not move",
      );
      const inside = [await trigger(app.url, "window.event", { n: 1 })];
      const startMs = timeOfEventId(inside[0] as string) as number;
      expect(eventIdFloor(startMs) > older).toBe(true);
      const stop = new AbortController();
      const statuses: string[] = [];
      const done = listen(
        {
          from: app.url,
          token: TOKEN,
          forward: local.url,
          source: undefined,
          type: "window.*",
          replaySinceMs: 3_600_000,
        },
        {
          fetch,
          print: () => {},
          status: (line) => statuses.push(line),
          now: () => startMs + 3_600_000,
          sleep: abortableSleep,
        },
        stop.signal,
      );
      inside.push(await trigger(app.url, "window.event", { n: 2 }));
      await expectExactly(local, app.url, "window.last", inside);
      stop.abort();
      expect(await done).toBe(0);
      expect(statuses[0]).toStartWith(
        `replaying the events stored since ${new Date(startMs).toISOString()}`,
      );
    });

    test("the local app being down is reported for each event, and listen goes on", async () => {
      const port = await freePort();
      const listening = listenTo(
        ["--from", app.url, "--forward", `http://127.0.0.1:${port}/hooks`, "--type", "down.*"],
        { HOOKYARD_TOKEN: TOKEN },
      );
      await listening.untilStatus(/^connected to /);
      const first = await trigger(app.url, "down.event", { n: 1 });
      const second = await trigger(app.url, "down.event", { n: 2 });
      await listening.until(() => listening.stdout.length >= 2, "two lines on stdout");
      expect(listening.stdout).toEqual([
        expect.stringMatching(new RegExp(`  down\\.event  ${first}  → error: connection refused$`)),
        expect.stringMatching(
          new RegExp(`  down\\.event  ${second}  → error: connection refused$`),
        ),
      ]);
      // Still running, and forwarding again once the app is back.
      const arrived: (string | null)[] = [];
      const back = Bun.serve({
        hostname: "127.0.0.1",
        port,
        fetch(request) {
          arrived.push(request.headers.get("x-hookyard-event-id"));
          return new Response("ok");
        },
      });
      try {
        const third = await trigger(app.url, "down.event", { n: 3 });
        await listening.until(() => listening.stdout.length >= 3, "a third line on stdout");
        expect(listening.stdout[2]).toMatch(new RegExp(`  ${third}  → 200 in \\d+ ms$`));
        expect(arrived).toEqual([third]);
      } finally {
        await back.stop(true);
      }
      expect(await listening.stop("SIGINT")).toBe(0);
    });
  });

  describe(`hookyard listen across a restart of hookyard (${dialect})`, () => {
    test("events stored while hookyard was down are forwarded once it is back, none twice", async () => {
      await restartScenario(dialect);
    });
  });
}

async function restartScenario(dialect: DialectName): Promise<void> {
  const database = await createTestDatabase(dialect);
  const port = await freePort();
  const start = () =>
    startTestApp(dialect, { database, settings: { ADMIN_TOKEN: TOKEN }, config: { port } });
  const local = startReceiver();
  let app = await start();
  const listening = startListen(listenArgs(app.url, local, "--type", "restart.*"));
  try {
    await listening.untilStatus(/^connected to /);
    const ids = [await trigger(app.url, "restart.before", {})];
    await local.waitFor(1, WAIT_MS);
    await app.stop();
    await listening.untilStatus(/^(the stream ended|the stream was cut).*; reconnecting in/);
    // Stored while no hookyard serves (as another instance would store them).
    const store = await database.openStore();
    for (let n = 0; n < 3; n++) {
      const result = await store.events.record(storedEvent("restart.meanwhile"));
      if (result.status === "stored") ids.push(result.event.id);
    }
    await store.close();
    app = await start();
    await listening.untilStatus(/^connected to .*, resuming after /);
    ids.push(await trigger(app.url, "restart.after", {}));
    await expectExactly(local, app.url, "restart.last", ids);
    expect(local.requests.slice(1, 4).map((request) => request.body)).toEqual(
      Array(3).fill(JSON.stringify({ stored: "restart.meanwhile" })),
    );
    expect(await listening.stop()).toBe(0);
  } finally {
    await listening.stop();
    await app.stop();
    await local.stop();
    await database.drop();
  }
}

describe("hookyard listen refusing to start", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await app.stop();
  });

  const run = async (args: readonly string[], env: Record<string, string> = {}) => {
    const listening = startListen(args, env);
    const code = await withTimeout(listening.exited, WAIT_MS, () => "listen did not exit");
    return { code, stderr: listening.stderr.filter((line) => line !== "") };
  };

  test("a wrong token: exit code 2 and a line saying the token was refused", async () => {
    const { code, stderr } = await run([
      "--from",
      app.url,
      "--token",
      "wrong",
      "--forward",
      "http://127.0.0.1:9/hooks",
    ]);
    expect(code).toBe(2);
    expect(stderr).toEqual([
      `hookyard listen: ${app.url}/events/stream answered 401: the token was refused: check --token (or HOOKYARD_TOKEN) against its ADMIN_TOKEN`,
    ]);
  });

  test("no token for a hookyard that wants one: exit code 2, saying how to give it", async () => {
    const { code, stderr } = await run(["--from", app.url, "--forward", "http://127.0.0.1:9/"]);
    expect(code).toBe(2);
    expect(stderr.join("\n")).toContain("it needs a token: pass --token or set HOOKYARD_TOKEN");
  });

  test("a URL that is not a hookyard: exit code 2, saying so", async () => {
    const notHookyard = startReceiver(() => status(404));
    try {
      const from = new URL(notHookyard.url).origin;
      const { code, stderr } = await run(["--from", from, "--forward", "http://127.0.0.1:9/"]);
      expect(code).toBe(2);
      expect(stderr.join("\n")).toContain("answered 404: not a hookyard");
    } finally {
      await notHookyard.stop();
    }
  });

  test.each([
    [["--from", "http://127.0.0.1:9"], "--forward: required"],
    [
      ["--from", "localhost:8000", "--forward", "http://127.0.0.1:9"],
      "--from: expected an http:// or https:// URL",
    ],
    [
      [
        "--from",
        "http://127.0.0.1:9",
        "--forward",
        "http://127.0.0.1:9",
        "--replay-since",
        "1 hour",
      ],
      "--replay-since: expected a duration",
    ],
  ])("bad usage %j: exit code 2 with a line naming the option", async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr[0]).toStartWith(`hookyard: ${message}`);
  });
});
