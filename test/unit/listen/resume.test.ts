import { describe, expect, test } from "bun:test";
import { eventIdFloor, reconnectDelay, timeOfEventId } from "../../../src/listen/resume.ts";

/** The id format GET /events/stream takes as Last-Event-ID (src/events/stream.ts). */
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("eventIdFloor", () => {
  test.each<[string, number, string]>([
    ["the epoch", 0, "00000000-0000-0000-0000-000000000000"],
    // 2026-12-05T10:15:00.000Z = 1796465700000 ms = 0x1a2_45b3_2ca0
    ["a time of day", Date.UTC(2026, 11, 5, 10, 15), "01a245b3-2ca0-0000-0000-000000000000"],
    ["a fraction of a millisecond is dropped", 1.9, "00000000-0001-0000-0000-000000000000"],
    ["a time before the epoch is the epoch", -5, "00000000-0000-0000-0000-000000000000"],
  ])("%s", (_name, ms, expected) => {
    expect(eventIdFloor(ms)).toBe(expected);
    expect(eventIdFloor(ms)).toMatch(EVENT_ID);
  });

  test("sorts after every id taken before its millisecond, and before every one taken at or after", () => {
    for (let i = 0; i < 50; i++) {
      const id = Bun.randomUUIDv7();
      const ms = timeOfEventId(id) as number;
      expect(eventIdFloor(ms) < id).toBe(true);
      expect(eventIdFloor(ms + 1) > id).toBe(true);
    }
  });

  test("an id taken at a given time reads back as that time", () => {
    const at = new Date("2026-12-05T10:15:02.345Z");
    expect(timeOfEventId(Bun.randomUUIDv7("hex", at))).toBe(at.getTime());
    expect(timeOfEventId(eventIdFloor(at.getTime()))).toBe(at.getTime());
    expect(timeOfEventId("yesterday")).toBeUndefined();
  });
});

describe("reconnectDelay", () => {
  test("starts at 0.5 s and doubles to a cap of 10 s", () => {
    const delays = Array.from({ length: 8 }, (_, failures) => reconnectDelay(failures));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  test("stays at the cap however many failures", () => {
    expect(reconnectDelay(10_000)).toBe(10_000);
  });

  test("a longer Retry-After wins; a shorter one does not shorten the backoff", () => {
    expect(reconnectDelay(0, 5_000)).toBe(5_000);
    expect(reconnectDelay(5, 1_000)).toBe(10_000);
  });
});
