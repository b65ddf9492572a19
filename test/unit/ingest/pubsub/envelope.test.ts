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
