import { describe, expect, test } from "bun:test";
import {
  dateTimeLocalValue,
  readEventListQuery,
} from "../../../src/dashboard/pages/event-display.ts";
import { resentNotice } from "../../../src/dashboard/pages/event-resend.tsx";

describe("readEventListQuery: the filters GET /events refuses", () => {
  test.each([
    ["RFC 3339", "2026-11-20T08:00:00Z", "2026-11-20T08:00:00.000Z"],
    ["RFC 3339 with an offset", "2026-11-20T10:00:00+02:00", "2026-11-20T08:00:00.000Z"],
    ["a datetime-local value, as UTC", "2026-11-20T08:00", "2026-11-20T08:00:00.000Z"],
    ["a datetime-local value with seconds", "2026-11-20T08:00:30", "2026-11-20T08:00:30.000Z"],
    ["a date alone", "2026-11-20", "2026-11-20T00:00:00.000Z"],
  ])("reads since given as %s", (_name, since, expected) => {
    const read = readEventListQuery({ since });
    expect(read.filter.since?.toISOString()).toBe(expected);
    expect(read.invalid).toEqual([]);
  });

  test.each([
    ["an unknown source", { source: "gitlab" }, "github, entity, trigger, hook, hookyard"],
    ["a time that is no time", { since: "last tuesday" }, 'The since filter "last tuesday"'],
    ["an impossible day", { until: "2026-02-30T08:00" }, 'The until filter "2026-02-30T08:00"'],
    ["until before since", { since: "2026-11-21", until: "2026-11-20" }, "before the since time"],
    ["a * inside a type", { type: "task.*.update" }, "may use * only alone"],
    ["a prefix without a stem", { type: ".*" }, 'needs a prefix before ".*"'],
  ])("refuses %s, saying why", (_name, query, message) => {
    const read = readEventListQuery(query);
    expect(read.invalid).toHaveLength(1);
    expect(read.invalid[0]).toContain(message);
  });

  test("takes a type prefix and * as GET /events does", () => {
    expect(readEventListQuery({ type: "task.*" }).filter.type).toBe("task.*");
    expect(readEventListQuery({ type: "*" }).invalid).toEqual([]);
  });
});

describe("dateTimeLocalValue", () => {
  test.each([
    ["2026-11-20T08:05:00Z", "2026-11-20T08:05"],
    ["2026-11-20T08:05:07Z", "2026-11-20T08:05:07"],
    ["2026-11-20T08:05:07.250Z", "2026-11-20T08:05:07.250"],
  ])("shows %s as %s", (time, shown) => {
    expect(dateTimeLocalValue(new Date(time))).toBe(shown);
  });
});

describe("resentNotice", () => {
  test.each([
    ["resent:1", "Resent to 1 endpoint."],
    ["resent:3", "Resent to 3 endpoints."],
    ["resent:0", "Nothing was sent: no enabled endpoint takes this event now."],
  ])("%s says %s", (keyword, message) => {
    expect(resentNotice(keyword)?.message).toBe(message);
  });

  test.each([undefined, "redelivered", "resent:x", "resent:1:2"])(
    "%p is no resend notice",
    (keyword) => {
      expect(resentNotice(keyword)).toBeUndefined();
    },
  );
});
