import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { Svix } from "svix";
import { idempotencyKeyFor, SvixSender } from "../../../src/relay/svix-sender.ts";
import { type FakeSvix, startFakeSvix } from "../../support/fake-svix-server.ts";

let fake: FakeSvix;
beforeEach(async () => {
  fake = await startFakeSvix();
});
afterEach(() => fake.stop());

const stubs: Server<unknown>[] = [];
afterEach(() => {
  for (const stub of stubs.splice(0)) stub.stop(true);
});

const sender = (options: { timeoutMs?: number; token?: string; serverUrl?: string } = {}) =>
  new SvixSender({
    token: options.token ?? fake.token,
    serverUrl: options.serverUrl ?? fake.url,
    timeoutMs: options.timeoutMs ?? 2_000,
  });

const event = (eventId = "evt_1", project = "dev", eventType = "user.created") => ({
  project,
  eventId,
  eventType,
  payload: { object: "event", id: eventId, type: eventType, project, data: { n: 1 } },
});

const messageCreates = (project = "dev") =>
  fake.requests.filter((r) => r.method === "POST" && r.path === `/api/v1/app/${project}/msg`);
const appCreates = () => fake.requests.filter((r) => r.path === "/api/v1/app");

describe("SvixSender.send", () => {
  test("sends the event to the project's application and returns Svix's message id", async () => {
    const outcome = await sender().send(event());
    expect(fake.messages).toHaveLength(1);
    const [stored] = fake.messages;
    expect(outcome).toEqual({ kind: "sent", svixMessageId: stored?.id ?? "" });
    expect(stored).toMatchObject({
      appUid: "dev",
      eventId: "evt_1",
      eventType: "user.created",
      payload: event().payload,
      idempotencyKey: idempotencyKeyFor("dev", "evt_1"),
    });
  });

  test("creates each project's application once, then only sends messages", async () => {
    const relay = sender();
    for (const id of ["evt_1", "evt_2", "evt_3"]) await relay.send(event(id));
    await relay.send(event("evt_4", "prod"));
    expect(appCreates()).toHaveLength(2);
    expect([...fake.apps.keys()].sort()).toEqual(["dev", "prod"]);
    expect(messageCreates("dev")).toHaveLength(3);
  });

  test("a resend carries the same idempotency key, from any sender instance, and stores nothing twice", async () => {
    const first = await sender().send(event());
    const again = await sender().send(event());
    expect(again).toEqual(first);
    expect(fake.messages).toHaveLength(1);
    const keys = messageCreates().map((r) => r.idempotencyKey);
    expect(keys).toEqual([idempotencyKeyFor("dev", "evt_1"), idempotencyKeyFor("dev", "evt_1")]);
  });

  test("an event id Svix already has (409) is a duplicate: delivered before", async () => {
    const client = new Svix(fake.token, { serverUrl: fake.url, retryScheduleInMs: [] });
    await client.application.getOrCreate({ uid: "dev", name: "dev" });
    await client.message.create("dev", {
      eventType: "user.created",
      eventId: "evt_1",
      payload: {},
    });
    expect(await sender().send(event())).toEqual({ kind: "duplicate" });
    expect(fake.countByEventId().get("dev/evt_1")).toBe(1);
  });

  test.each([
    ["with Retry-After", 7, 7_000],
    ["without Retry-After", undefined, undefined],
  ])("a 429 %s is rate-limited, with the wait Svix asked for", async (_name, seconds, wait) => {
    await sender().send(event("evt_0"));
    fake.failNext({ kind: "status", status: 429, retryAfterSeconds: seconds });
    expect(await sender().send(event())).toEqual({ kind: "rate-limited", retryAfterMs: wait });
    expect(messageCreates()).toHaveLength(2);
  });

  test.each([500, 502, 503] as const)(
    "a %d is retryable, after exactly one request (the client never retries)",
    async (status) => {
      const relay = sender();
      await relay.send(event("evt_0"));
      fake.failNext({ kind: "status", status });
      const outcome = await relay.send(event());
      expect(outcome.kind).toBe("retryable");
      expect(outcome.kind === "retryable" && outcome.reason).toContain(String(status));
      expect(
        messageCreates().filter((r) => r.idempotencyKey === idempotencyKeyFor("dev", "evt_1")),
      ).toHaveLength(1);
      expect(fake.messages.map((m) => m.eventId)).toEqual(["evt_0"]);
    },
  );

  test("no answer within the timeout is retryable, and the attempt ends near the timeout", async () => {
    const relay = sender({ timeoutMs: 150 });
    await relay.send(event("evt_0"));
    fake.failNext({ kind: "slow", delayMs: 3_000 });
    const started = performance.now();
    const outcome = await relay.send(event());
    const elapsed = performance.now() - started;
    expect(outcome).toEqual({ kind: "retryable", reason: "no answer from Svix within 150 ms" });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
    expect(fake.messages.map((m) => m.eventId)).toEqual(["evt_0"]);
  });

  test("a dropped connection is retryable, after exactly one request", async () => {
    const relay = sender();
    await relay.send(event("evt_0"));
    fake.failNext({ kind: "drop" });
    const outcome = await relay.send(event());
    expect(outcome.kind).toBe("retryable");
    expect(outcome.kind === "retryable" && outcome.reason).toContain("ECONNRESET");
    expect(messageCreates().map((r) => r.status)).toEqual([202, "dropped"]);
  });

  test("a 422 (Svix refuses the message itself) is fatal, with Svix's reason", async () => {
    const outcome = await sender().send(event("evt_1", "dev", "user created"));
    expect(outcome).toMatchObject({ kind: "fatal", status: 422 });
    expect(outcome.kind === "fatal" && outcome.reason).toContain("String must match");
  });

  test("a 400 is fatal", async () => {
    const url = stub(() => Response.json({ code: "bad_request", detail: "nope" }, { status: 400 }));
    const outcome = await sender({ serverUrl: url }).send(event());
    expect(outcome).toMatchObject({ kind: "fatal", status: 400 });
    expect(outcome.kind === "fatal" && outcome.reason).toContain("nope");
  });

  test("a refused token (401) stays retryable: the operator's mistake, not the message's", async () => {
    const outcome = await sender({ token: "wrong" }).send(event());
    expect(outcome.kind).toBe("retryable");
    expect(outcome.kind === "retryable" && outcome.reason).toContain("SVIX_TOKEN");
  });
});

describe("SvixSender.send behind a proxy or an older Svix", () => {
  test("a 429 with an HTML body still reads Retry-After (the client cannot parse the body)", async () => {
    const url = stub(
      () =>
        new Response("<html>slow down</html>", {
          status: 429,
          headers: { "content-type": "text/html", "retry-after": "3" },
        }),
    );
    expect(await sender({ serverUrl: url }).send(event())).toEqual({
      kind: "rate-limited",
      retryAfterMs: 3_000,
    });
  });

  test("a 502 with an HTML body is retryable", async () => {
    const url = stub(() => new Response("<html>bad gateway</html>", { status: 502 }));
    const outcome = await sender({ serverUrl: url }).send(event());
    expect(outcome.kind).toBe("retryable");
    expect(outcome.kind === "retryable" && outcome.reason).toContain("502");
  });

  test("an application deleted in Svix is created again on the next attempt", async () => {
    const svix = replayingSvix();
    const relay = sender({ serverUrl: svix.url });
    expect((await relay.send(event("evt_1"))).kind).toBe("sent");
    svix.apps.clear();
    expect(await relay.send(event("evt_2"))).toMatchObject({ kind: "retryable" });
    expect((await relay.send(event("evt_2"))).kind).toBe("sent");
    expect(svix.apps.has("dev")).toBe(true);
  });
});

/** A server answering every request with `answer`, on 127.0.0.1, stopped after the test. */
function stub(answer: (request: Request) => Response): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: answer });
  stubs.push(server);
  return server.url.origin;
}

/**
 * Just enough Svix to show why application creation must not reuse an idempotency key:
 * Svix replays a key's first 2xx answer (for 12 hours) without running the request again.
 */
function replayingSvix(): { url: string; apps: Set<string> } {
  const apps = new Set<string>();
  const replays = new Map<string, Response>();
  const now = new Date().toISOString();
  const url = stub((request) => {
    const { pathname, search } = new URL(request.url);
    const key = `${request.headers.get("idempotency-key")} ${pathname}${search}`;
    const replay = replays.get(key);
    if (replay) return replay.clone();
    const app = { id: "app_1", uid: "dev", name: "dev", metadata: {}, createdAt: now };
    let answer: Response;
    if (pathname === "/api/v1/app") {
      apps.add("dev");
      answer = Response.json({ ...app, updatedAt: now }, { status: 201 });
    } else if (!apps.has("dev")) {
      answer = Response.json(
        { code: "not_found", detail: "Application not found" },
        { status: 404 },
      );
    } else {
      const message = { id: "msg_1", eventType: "user.created", payload: {}, timestamp: now };
      answer = Response.json(message, { status: 202 });
    }
    if (answer.ok) replays.set(key, answer.clone());
    return answer;
  });
  return { url, apps };
}
