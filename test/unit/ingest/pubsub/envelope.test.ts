import { describe, expect, test } from "bun:test";
import { decodeNotification } from "../../../../src/ingest/pubsub/envelope.ts";

const event = {
  object: "event",
  id: "evt_0SNlurA049MEWV2gSfSxHq4t0kZM",
  type: "user.created",
  project: "dev",
  time: "2026-11-01T10:00:00Z",
  version: "2026-01-01",
  data: { user: { id: "usr_1", name: "Ada" } },
};

const envelope = (data: string, extra: Record<string, unknown> = {}) => ({
  message: {
    data,
    messageId: "2070443601311540",
    publishTime: "2026-11-01T10:00:01.123Z",
    attributes: { origin: "gigs" },
    ...extra,
  },
  subscription: "projects/acme/subscriptions/svix-push",
});
const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");

describe("decodeNotification", () => {
  test("a Pub/Sub push envelope yields its event and the Pub/Sub metadata", () => {
    expect(decodeNotification(envelope(b64(event)))).toEqual({
      kind: "event",
      event,
      pubsub: {
        messageId: "2070443601311540",
        publishTime: "2026-11-01T10:00:01.123Z",
        subscription: "projects/acme/subscriptions/svix-push",
        attributes: { origin: "gigs" },
      },
    });
  });

  test("URL-safe base64 data is read too", () => {
    const data = Buffer.from(JSON.stringify({ ...event, data: { s: "??>>" } })).toString(
      "base64url",
    );
    expect(decodeNotification(envelope(data)).kind).toBe("event");
  });

  test("a raw event is accepted as it is", () => {
    expect(decodeNotification(event)).toEqual({ kind: "event", event, pubsub: null });
  });

  test.each([
    ["data that is not base64", envelope("not base64 at all!"), "message.data is not valid base64"],
    ["data missing", envelope(""), "message.data is missing"],
    ["data that is not JSON", envelope(b64("hello")), "message.data is not a UTF-8 JSON document"],
    [
      "data that is an array",
      envelope(b64([1, 2])),
      "message.data holds JSON that is not an object",
    ],
    [
      "data without a type",
      envelope(b64({ ...event, type: undefined })),
      "message.data is not a valid event: type is required",
    ],
    [
      "data with a bad project",
      envelope(b64({ ...event, project: "has space" })),
      "message.data is not a valid event: project must be a valid Svix application uid",
    ],
  ])(
    "an envelope with %s is rejected with the reason (so Pub/Sub stops redelivering it)",
    (_name, body, reason) => {
      const decoded = decodeNotification(body);
      expect(decoded.kind).toBe("rejected-envelope");
      if (decoded.kind === "rejected-envelope") {
        expect(decoded.reason).toStartWith(reason);
        expect(decoded.pubsub.messageId).toBe("2070443601311540");
      }
    },
  );

  test.each([
    ["not an object", [1, 2], ["body"]],
    ["without project", { ...event, project: undefined }, ["project"]],
    ["without type", { ...event, type: undefined }, ["type"]],
    ["without id", { ...event, id: undefined }, ["id"]],
    ["with a project that is not a Svix uid", { ...event, project: "dev/prod" }, ["project"]],
    ["with a 257-character project", { ...event, project: "p".repeat(257) }, ["project"]],
    ["with a numeric type", { ...event, type: 5 }, ["type"]],
    ["missing everything", {}, ["id", "type", "project"]],
  ])("a raw event %s is invalid, naming the fields", (_name, body, fields) => {
    const decoded = decodeNotification(body);
    expect(decoded.kind).toBe("invalid");
    if (decoded.kind === "invalid") expect(decoded.details.map((d) => d.field)).toEqual(fields);
  });

  test("a 256-character project made of allowed characters is fine", () => {
    expect(decodeNotification({ ...event, project: "a.b-c_D".padEnd(256, "x") }).kind).toBe(
      "event",
    );
  });
});

describe("decodeNotification: what Svix would refuse is refused at the door", () => {
  test.each([
    ["an event id with a space", { id: "evt 1" }, "id"],
    ["an event id starting with msg_ (Svix's own id prefix)", { id: "msg_123" }, "id"],
    ["a 257-character event id", { id: "e".repeat(257) }, "id"],
    ["an event type with a colon", { type: "user:created" }, "type"],
    ["a project starting with app_ (Svix's own id prefix)", { project: "app_dev" }, "project"],
    ["an empty type", { type: "" }, "type"],
  ])("a raw event with %s is a 422 naming the field", (_name, change, field) => {
    const decoded = decodeNotification({ ...event, ...change });
    expect(decoded.kind).toBe("invalid");
    if (decoded.kind === "invalid") {
      expect(decoded.details.map((d) => d.field)).toEqual([field]);
      expect(decoded.error).toStartWith(`invalid event: ${field} must be`);
    }
  });

  test("the same problems inside an envelope reject it with the reason", () => {
    const decoded = decodeNotification(envelope(b64({ ...event, id: "msg_123" })));
    expect(decoded).toMatchObject({
      kind: "rejected-envelope",
      reason:
        "message.data is not a valid event: id must be a valid Svix event id: not starting with msg_, Svix's own id prefix",
    });
  });

  test("a raw event without id says that id is required", () => {
    const decoded = decodeNotification({ ...event, id: undefined });
    expect(decoded).toMatchObject({ kind: "invalid", error: "invalid event: id is required" });
  });
});

describe("decodeNotification: telling envelopes from events", () => {
  test("an event with a message object of its own is an event, not an envelope", () => {
    const chat = { ...event, type: "chat.message", message: { text: "hi", data: "x" } };
    expect(decodeNotification(chat)).toEqual({ kind: "event", event: chat, pubsub: null });
  });

  test("an object with a message but neither Pub/Sub fields nor an event's is an invalid event", () => {
    const decoded = decodeNotification({ message: { text: "hi" } });
    expect(decoded.kind).toBe("invalid");
  });

  test("snake_case Pub/Sub fields are read when camelCase ones are absent", () => {
    const decoded = decodeNotification({
      message: { data: b64(event), message_id: "42", publish_time: "2026-11-01T10:00:00Z" },
      subscription: "projects/p/subscriptions/s",
    });
    expect(decoded).toMatchObject({
      kind: "event",
      pubsub: { messageId: "42", publishTime: "2026-11-01T10:00:00Z", attributes: {} },
    });
  });

  test("attributes that are not strings are dropped", () => {
    const decoded = decodeNotification(envelope(b64(event), { attributes: { a: "1", b: 2 } }));
    expect(decoded.kind === "event" && decoded.pubsub?.attributes).toEqual({ a: "1" });
  });

  test("data that is not a string, or bytes that are not UTF-8, reject the envelope", () => {
    expect(decodeNotification(envelope(42 as unknown as string))).toMatchObject({
      reason: "message.data is missing",
    });
    const latin1 = Buffer.from([0x7b, 0xe9, 0x7d]).toString("base64");
    expect(decodeNotification(envelope(latin1))).toMatchObject({
      reason: "message.data is not a UTF-8 JSON document",
    });
  });
});
