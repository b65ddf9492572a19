import { describe, expect, test } from "bun:test";
import {
  matchesEventType,
  validateEventTypeFilter,
  validateEventTypeFilters,
} from "../../../src/delivery/event-types.ts";

describe("matchesEventType", () => {
  test.each([
    ["* takes everything", ["*"], "task.update", true],
    ["* takes a type without dots", ["*"], "ping", true],
    ["a prefix takes a type under it", ["github.*"], "github.push", true],
    ["a prefix takes a deeper type", ["github.*"], "github.pull_request.opened", true],
    ["a prefix does not take a longer first segment", ["github.*"], "githubx.y", false],
    ["a prefix does not take the bare prefix", ["github.*"], "github", false],
    ["a prefix does not take another source", ["github.*"], "task.update", false],
    ["an exact name takes that type", ["task.update"], "task.update", true],
    ["an exact name does not take a longer type", ["task.update"], "task.updated", false],
    ["an exact name is case-sensitive", ["task.update"], "Task.update", false],
    ["any filter of several is enough", ["task.create", "github.*"], "github.push", true],
    ["no filter of several matching is a miss", ["task.create", "github.*"], "task.delete", false],
    ["an empty list takes everything", [], "anything.at.all", true],
    ["* does not take hookyard's own events", ["*"], "hookyard.endpoint.disabled", false],
    ["an empty list does not take hookyard's own events", [], "hookyard.delivery.exhausted", false],
    ["hookyard.* takes them", ["*", "hookyard.*"], "hookyard.endpoint.recovered", true],
    [
      "a narrower prefix takes its own",
      ["hookyard.endpoint.*"],
      "hookyard.endpoint.disabled",
      true,
    ],
    [
      "an exact name takes it",
      ["hookyard.delivery.exhausted"],
      "hookyard.delivery.exhausted",
      true,
    ],
    ["a type that only starts like hookyard is ordinary", ["*"], "hookyardx.thing", true],
  ])("%s", (_name, filters, type, expected) => {
    expect(matchesEventType(filters, type)).toBe(expected);
  });
});

describe("validateEventTypeFilter", () => {
  test.each([["*"], ["github.*"], ["github.pull_request.*"], ["task.update"], ["ping"]])(
    "accepts %p",
    (filter) => {
      expect(validateEventTypeFilter(filter)).toBeUndefined();
    },
  );

  test.each([
    [42, "must be a string"],
    [null, "must be a string"],
    ["", "must not be empty"],
    ["task update", "must not contain whitespace"],
    [" task.update", "must not contain whitespace"],
    ["task.update\n", "must not contain whitespace"],
    ["task\u0000update", "control characters"],
    ["github.*.push", "may use * only alone"],
    ["*.push", "may use * only alone"],
    ["git*", "may use * only alone"],
    ["github.**", "may use * only alone"],
    [".*", "needs a prefix"],
    ["a".repeat(257), "at most 256 characters"],
  ])("refuses %p", (filter, message) => {
    expect(validateEventTypeFilter(filter)).toContain(message);
  });

  test("accepts a filter of exactly 256 characters", () => {
    expect(validateEventTypeFilter("a".repeat(256))).toBeUndefined();
  });
});

describe("validateEventTypeFilters", () => {
  test("accepts an empty list (every type)", () => {
    expect(validateEventTypeFilters([])).toBeUndefined();
  });

  test("accepts a list of valid filters", () => {
    expect(validateEventTypeFilters(["*", "github.*", "task.update"])).toBeUndefined();
  });

  test.each([
    ["a string", "github.*", "event_types must be an array of strings"],
    ["an object", { 0: "*" }, "event_types must be an array of strings"],
    ["a list with a bad entry", ["*", ""], "event_types[1]: must not be empty"],
    ["a list with a number", ["a", "b", 3], "event_types[2]: must be a string"],
    ["too many entries", Array.from({ length: 101 }, (_, i) => `t${i}`), "at most 100 entries"],
  ])("refuses %s", (_name, filters, message) => {
    expect(validateEventTypeFilters(filters)).toContain(message);
  });
});
