import { describe, expect, test } from "bun:test";
import { ClientStream, type CloseReason } from "../../../src/events/client-stream.ts";
import { parseAttemptOutcome } from "../../../src/events/stream-bus.ts";
import { sseComment, sseMessage } from "../../../src/events/stream-format.ts";
import { idFloor } from "../../../src/lib/ids.ts";
import { MAX_NOTIFY_BYTES, notifyPayloads } from "../../../src/store/pg/broadcast.ts";

describe("live stream pieces", () => {
  test("an SSE message is its fields and one data line, a comment one line", () => {
    expect(sseMessage("event", { a: "x\ny" }, "id-1")).toBe(
      'id: id-1\nevent: event\ndata: {"a":"x\\ny"}\n\n',
    );
    expect(sseComment("two\nlines")).toBe(": two lines\n\n");
  });

  test("idFloor sorts at or before every UUIDv7 of its millisecond, after earlier ones", () => {
    const ms = Date.parse("2026-12-05T09:00:00.123Z");
    expect(idFloor(ms) <= Bun.randomUUIDv7("hex", ms)).toBe(true);
    expect(idFloor(ms) > Bun.randomUUIDv7("hex", ms - 1)).toBe(true);
  });

  test("NOTIFY payloads stay under PostgreSQL's limit, leaving out what cannot fit", () => {
    const message = "m".repeat(1_000);
    const payloads = notifyPayloads([
      ...Array.from({ length: 20 }, () => message),
      "x".repeat(MAX_NOTIFY_BYTES),
      "two\nlines",
    ]);
    expect(payloads.every((payload) => Buffer.byteLength(payload) < MAX_NOTIFY_BYTES)).toBe(true);
    expect(payloads.flatMap((payload) => payload.split("\n"))).toEqual(
      Array.from({ length: 20 }, () => message),
    );
    // As full as the limit allows: seven 1,000-byte messages and their newlines fit, eight do not.
    expect(payloads.map((payload) => payload.split("\n").length)).toEqual([7, 7, 6]);
  });

  test("NOTIFY payloads are measured in bytes, not characters", () => {
    const message = "é".repeat(1_000); // 2,000 bytes
    const payloads = notifyPayloads(Array.from({ length: 10 }, () => message));
    expect(payloads.map((payload) => payload.split("\n").length)).toEqual([3, 3, 3, 1]);
    expect(payloads.every((payload) => Buffer.byteLength(payload) < MAX_NOTIFY_BYTES)).toBe(true);
  });

  test("a broadcast message that is not an outcome is ignored", () => {
    expect(parseAttemptOutcome("not json")).toBeUndefined();
    expect(parseAttemptOutcome('{"delivery_id":1}')).toBeUndefined();
  });

  test("a client stream takes one message of any size, and drops a client past its limit", async () => {
    const reasons: CloseReason[] = [];
    const client = new ClientStream({ maxQueuedBytes: 100 }, (reason) => reasons.push(reason));
    expect(client.send("x".repeat(500))).toBe(true);
    expect(reasons).toEqual([]);
    expect(client.send("y")).toBe(false);
    expect(reasons).toEqual(["too-slow"]);
    expect(client.closed).toBe(true);
    await expect(client.body.getReader().read()).rejects.toBeUndefined();
  });

  test("a client stream hands over what is queued, and ends after it", async () => {
    const client = new ClientStream({ maxQueuedBytes: 100 }, () => {});
    client.send("a");
    client.send("b");
    client.end();
    const text = await new Response(client.body).text();
    expect(text).toBe("ab");
  });
});
