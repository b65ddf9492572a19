import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ApiException, type MessageIn, Svix } from "svix";
import { type FakeFailure, type FakeSvix, startFakeSvix } from "../../support/fake-svix-server.ts";

let fake: FakeSvix;
beforeEach(async () => {
  fake = await startFakeSvix();
});
afterEach(() => fake.stop());

/** The real client, told never to retry so each call is exactly one request. */
const svix = (options: { token?: string; requestTimeout?: number } = {}) =>
  new Svix(options.token ?? fake.token, {
    serverUrl: fake.url,
    retryScheduleInMs: [],
    requestTimeout: options.requestTimeout,
  });

const event = (eventId: string | null = "evt-1"): MessageIn => ({
  eventType: "push",
  ...(eventId === null ? {} : { eventId }),
  payload: { ref: "refs/heads/main" },
});

async function withProject(uid = "proj-1") {
  return svix().application.getOrCreate({ uid, name: uid });
}

/** The error a call rejected with; fails the test when it resolved. */
async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

async function apiError(call: Promise<unknown>): Promise<ApiException<unknown>> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(ApiException);
  return error as ApiException<unknown>;
}

const statuses = () => fake.requests.map((request) => request.status);

describe("POST /api/v1/app", () => {
  test("getOrCreate creates the app (201), then returns the same one (200)", async () => {
    const first = await withProject("proj-1");
    const second = await withProject("proj-1");
    expect(statuses()).toEqual([201, 200]);
    expect(second.id).toBe(first.id);
    expect(first.id).toStartWith("app_");
    expect(first).toMatchObject({ uid: "proj-1", name: "proj-1", metadata: {} });
    expect(fake.apps.get("proj-1")).toMatchObject({ uid: "proj-1", name: "proj-1", id: first.id });
  });

  test("plain create with a uid that exists answers 409", async () => {
    await svix().application.create({ uid: "proj-1", name: "one" });
    const error = await apiError(svix().application.create({ uid: "proj-1", name: "two" }));
    expect(error.code).toBe(409);
    expect(error.body).toMatchObject({ code: "conflict" });
  });
});

describe("POST /api/v1/app/:app/msg", () => {
  test("stores the message and answers 202 with Svix's MessageOut", async () => {
    await withProject();
    const out = await svix().message.create("proj-1", event("evt-1"), { idempotencyKey: "k1" });
    expect(statuses()).toEqual([201, 202]);
    expect(out).toMatchObject({ eventType: "push", eventId: "evt-1", channels: null });
    expect(out.id).toStartWith("msg_");
    expect(out.timestamp).toBeInstanceOf(Date);
    expect(fake.messages).toEqual([
      {
        appUid: "proj-1",
        eventId: "evt-1",
        eventType: "push",
        payload: { ref: "refs/heads/main" },
        idempotencyKey: "k1",
        id: out.id,
        receivedAt: expect.any(Date),
      },
    ]);
    expect(fake.requests[1]).toMatchObject({
      method: "POST",
      path: "/api/v1/app/proj-1/msg",
      status: 202,
      idempotencyKey: "k1",
    });
  });

  test("answers payload {} unless asked with_content=true, as Svix does", async () => {
    await withProject();
    const lean = await svix().message.create("proj-1", event("evt-1"));
    const full = await svix().message.create("proj-1", event("evt-2"), { withContent: true });
    expect(lean.payload).toEqual({});
    expect(full.payload).toEqual({ ref: "refs/heads/main" });
  });

  test("finds the app by its id as well as its uid", async () => {
    const app = await withProject();
    await svix().message.create(app.id, event());
    expect(fake.messages[0]?.appUid).toBe("proj-1");
  });

  test("a repeated eventId for the app answers 409 and stores nothing more", async () => {
    await withProject();
    await svix().message.create("proj-1", event("evt-1"));
    const error = await apiError(svix().message.create("proj-1", event("evt-1")));
    expect(error.code).toBe(409);
    expect(error.body).toMatchObject({ code: "conflict" });
    expect(fake.countByEventId()).toEqual(new Map([["proj-1/evt-1", 1]]));
  });

  test("the same eventId in another app is a different message", async () => {
    await withProject("proj-1");
    await withProject("proj-2");
    await svix().message.create("proj-1", event("evt-1"));
    await svix().message.create("proj-2", event("evt-1"));
    expect(fake.countByEventId()).toEqual(
      new Map([
        ["proj-1/evt-1", 1],
        ["proj-2/evt-1", 1],
      ]),
    );
  });

  test("a repeated idempotency key replays the first answer and stores nothing", async () => {
    await withProject();
    const first = await svix().message.create("proj-1", event(null), { idempotencyKey: "k1" });
    const again = await svix().message.create("proj-1", event(null), { idempotencyKey: "k1" });
    expect(again).toEqual(first);
    expect(fake.messages).toHaveLength(1);
    expect(statuses()).toEqual([201, 202, 202]);
  });

  test("without a key the client sends a fresh auto_ key per call, so nothing is replayed", async () => {
    await withProject();
    await svix().message.create("proj-1", event(null));
    await svix().message.create("proj-1", event(null));
    const keys = fake.messages.map((message) => message.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toStartWith("auto_");
    expect(keys[1]).not.toBe(keys[0]);
  });

  test("a key whose first request failed is not replayed: the retry is stored", async () => {
    await withProject();
    fake.failNext({ kind: "status", status: 503 });
    await apiError(svix().message.create("proj-1", event(), { idempotencyKey: "k1" }));
    await svix().message.create("proj-1", event(), { idempotencyKey: "k1" });
    expect(statuses()).toEqual([201, 503, 202]);
    expect(fake.messages).toHaveLength(1);
  });

  test("an unknown app answers 404 not_found", async () => {
    const error = await apiError(svix().message.create("nobody", event()));
    expect(error.code).toBe(404);
    expect(error.body).toMatchObject({ code: "not_found" });
    expect(fake.messages).toHaveLength(0);
  });

  test("an `application` in the body creates the unknown app, as Svix allows", async () => {
    const message = { ...event(), application: { uid: "proj-9", name: "Nine" } };
    await svix().message.create("proj-9", message);
    expect(fake.apps.get("proj-9")?.name).toBe("Nine");
    expect(fake.messages).toHaveLength(1);
  });

  test.each<[string, string, MessageIn]>([
    ["a payload that is not an object", "proj-1", { eventType: "push", payload: [1, 2] }],
    ["an eventId with a colon", "proj-1", { ...event("evt:1") }],
    ["an eventId shaped like a message id", "proj-1", { ...event("msg_1") }],
    ["an event type with a space", "proj-1", { ...event(), eventType: "git push" }],
    ["an app uid with a slash", "team/proj", event()],
  ])("refuses %s with 422, as Svix does", async (_, app, message) => {
    await withProject();
    const error = await apiError(svix().message.create(app, message));
    expect(error.code).toBe(422);
    expect(error.body).toMatchObject({ detail: [{ type: "value_error" }] });
    expect(fake.messages).toHaveLength(0);
  });
});

describe("authentication and routing", () => {
  test("a wrong token answers 401 authentication_failed", async () => {
    const error = await apiError(svix({ token: "wrong" }).application.getOrCreate({ name: "x" }));
    expect(error.code).toBe(401);
    expect(error.body).toMatchObject({ code: "authentication_failed" });
    expect(fake.apps.size).toBe(0);
  });

  test("any other route answers 404 with a JSON error", async () => {
    const response = await fetch(`${fake.url}/api/v1/event-type`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });
});

describe("injected failures", () => {
  test.each<[string, Extract<FakeFailure, { kind: "status" }>, string | undefined]>([
    ["429 with Retry-After", { kind: "status", status: 429, retryAfterSeconds: 7 }, "7"],
    ["429 without Retry-After", { kind: "status", status: 429 }, undefined],
    ["500", { kind: "status", status: 500 }, undefined],
    ["502", { kind: "status", status: 502 }, undefined],
    ["503", { kind: "status", status: 503 }, undefined],
  ])("%s reaches the client as an ApiException and stores nothing", async (_, failure, after) => {
    await withProject();
    fake.failNext(failure);
    const error = await apiError(svix().message.create("proj-1", event()));
    expect(error.code).toBe(failure.status);
    expect(error.headers["retry-after"]).toBe(after);
    expect(fake.messages).toHaveLength(0);
    expect(statuses()).toEqual([201, failure.status]);
  });

  test("queued failures apply to the next message creates in order, then stop", async () => {
    await withProject();
    fake.failNext({ kind: "status", status: 500 }, { kind: "status", status: 429 });
    const codes: (number | "ok")[] = [];
    for (const id of ["a", "b", "c"]) {
      codes.push(
        await svix()
          .message.create("proj-1", event(id))
          .then(
            () => "ok" as const,
            (error: ApiException<unknown>) => error.code,
          ),
      );
    }
    expect(codes).toEqual([500, 429, "ok"]);
    expect(fake.messages.map((message) => message.eventId)).toEqual(["c"]);
  });

  test("slow outlasts the client's timeout, then is stored as a late server would", async () => {
    await withProject();
    // Far past the client's timeout: on a loaded machine a 30 ms timer can fire 150 ms late,
    // after a shorter delay had already stored the message.
    fake.failNext({ kind: "slow", delayMs: 1_000 });
    const error = await rejectionOf(svix({ requestTimeout: 30 }).message.create("proj-1", event()));
    expect(error).not.toBeInstanceOf(ApiException);
    expect((error as Error).name).toBe("TimeoutError");
    expect(fake.messages).toHaveLength(0);
    await fake.waitForMessages(1, 5_000);
    expect(statuses()).toEqual([201, 202]);
  });

  test("drop closes the connection: a network error, nothing stored, next call fine", async () => {
    await withProject();
    const client = svix({ requestTimeout: 2_000 });
    fake.failNext({ kind: "drop" });
    const error = await rejectionOf(client.message.create("proj-1", event("evt-1")));
    expect(error).not.toBeInstanceOf(ApiException);
    expect((error as { code?: string }).code).toBe("ECONNRESET");
    expect(fake.messages).toHaveLength(0);
    await client.message.create("proj-1", event("evt-1"));
    expect(statuses()).toEqual([201, "dropped", 202]);
  });

  test("a seeded failure rate fails the same requests every time", async () => {
    const outcomes = async (target: FakeSvix) => {
      const client = new Svix(target.token, { serverUrl: target.url, retryScheduleInMs: [] });
      await client.application.getOrCreate({ uid: "proj-1", name: "p" });
      target.setFailureRate(0.5, { kind: "status", status: 503 }, 42);
      const results: boolean[] = [];
      for (let i = 0; i < 20; i++) {
        results.push(
          await client.message.create("proj-1", event(`evt-${i}`)).then(
            () => true,
            () => false,
          ),
        );
      }
      return results;
    };
    const other = await startFakeSvix();
    try {
      const first = await outcomes(fake);
      expect(await outcomes(other)).toEqual(first);
      expect(first).toContain(true);
      expect(first).toContain(false);
      expect(fake.messages).toHaveLength(first.filter(Boolean).length);
    } finally {
      await other.stop();
    }
  });

  test("a failure rate of 0 turns failures off", async () => {
    await withProject();
    fake.setFailureRate(1, { kind: "status", status: 500 });
    await apiError(svix().message.create("proj-1", event("evt-1")));
    fake.setFailureRate(0, { kind: "status", status: 500 });
    await svix().message.create("proj-1", event("evt-1"));
    expect(fake.messages).toHaveLength(1);
  });

  test("a rate outside [0, 1] is refused", () => {
    expect(() => fake.setFailureRate(1.5, { kind: "drop" })).toThrow(RangeError);
  });
});

describe("waitForMessages", () => {
  test("resolves when the awaited message arrives", async () => {
    await withProject();
    const arrived = fake.waitForMessages(2);
    await svix().message.create("proj-1", event("evt-1"));
    await svix().message.create("proj-1", event("evt-2"));
    await arrived;
    expect(fake.messages).toHaveLength(2);
  });

  test("rejects after its timeout, saying how many arrived", async () => {
    await expect(fake.waitForMessages(1, 20)).rejects.toThrow("waited for 1 messages, got 0");
  });
});
