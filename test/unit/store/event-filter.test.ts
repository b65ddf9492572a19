import { describe, expect, test } from "bun:test";
import {
  DISTINCT_TYPES_LIMIT,
  typeFilterOf,
  typeFilterProblem,
  typeMatches,
  typesUnderPrefix,
} from "../../../src/store/event-filter.ts";

describe("event type filters", () => {
  test.each([
    ["task.*", { prefix: "task." }],
    ["task.update", { exact: "task.update" }],
    ["*", undefined],
    [undefined, undefined],
  ])("%p reads as %p", (text, filter) => {
    expect(typeFilterOf(text)).toEqual(filter);
  });

  test.each([
    ["task.update", "task.*", true],
    ["task.review.added", "task.*", true],
    ["tasks.update", "task.*", false],
    ["Task.update", "task.*", false],
    ["task", "task.*", false],
    ["task.update", "task.update", true],
    ["task.updated", "task.update", false],
    ["anything", "*", true],
  ])("%p passes %p: %p", (type, filter, expected) => {
    expect(typeMatches(typeFilterOf(filter), type)).toBe(expected);
  });

  test.each([
    ["task.*", undefined],
    ["*", undefined],
    ["task.update", undefined],
    ["ta*sk", 'may use * only alone ("*") or as a last segment ("task.*")'],
    ["*.update", 'may use * only alone ("*") or as a last segment ("task.*")'],
    [".*", 'needs a prefix before ".*" (or use "*")'],
  ])("%p: %p", (text, problem) => {
    expect(typeFilterProblem(text)).toBe(problem);
  });

  test("a prefix lists the stored types under it, unless there are too many to list", () => {
    expect(typesUnderPrefix("task.*", ["a.b", "task.x", "tasks.y", "task.z"])).toEqual([
      "task.x",
      "task.z",
    ]);
    expect(typesUnderPrefix("task.x", ["task.x"])).toBeUndefined();
    const many = Array.from({ length: DISTINCT_TYPES_LIMIT + 1 }, (_, i) => `task.${i}`);
    expect(typesUnderPrefix("task.*", many)).toBeUndefined();
  });
});
