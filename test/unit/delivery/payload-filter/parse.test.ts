import { describe, expect, test } from "bun:test";
import {
  FILTER_LIMITS,
  type FilterProblem,
  parseFilter,
} from "../../../../src/delivery/payload-filter/index.ts";

function problemsOf(input: unknown): FilterProblem[] {
  const parsed = parseFilter(input);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  return parsed.problems;
}

/** Objects nested `levels` deep, the outermost counting as one: {"a": {"a": … {"a": 1}}}. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

const EXPECTED_OPERATORS =
  "expected one of $eq, $neq, $in, $nin, $gt, $gte, $lt, $lte, $exist, $regex";

describe("parseFilter accepts", () => {
  test.each([
    ["an empty filter", {}],
    ["equality", { type: "invoice.paid" }],
    [
      "every field operator",
      {
        a: { $eq: { x: [1] } },
        b: { $neq: null },
        c: { $in: [1, "a", null, { x: 1 }] },
        d: { $nin: [] },
        e: { $gt: 1, $gte: "a", $lt: -2.5, $lte: "z" },
        f: { $exist: false },
        g: { $regex: "^a+$" },
      },
    ],
    ["$and and $or", { $and: [{ a: 1 }, { $or: [{ b: 1 }, {}] }] }],
    ["nested paths", { data: { object: { amount: { $gt: 5 } } } }],
    ["header conditions", { "headers.x-event": "push", headers: { "x-other": { $exist: true } } }],
    ["numeric path segments", { "items.0.sku": "a" }],
    ["a regex at the length limit", { t: { $regex: "a".repeat(FILTER_LIMITS.maxRegexLength) } }],
    ["nesting at the depth limit", nested(FILTER_LIMITS.maxDepth)],
    [
      "conditions at the limit",
      Object.fromEntries(
        Array.from({ length: FILTER_LIMITS.maxConditions }, (_, i) => [`f${i}`, i]),
      ),
    ],
  ])("%s", (_name, input) => {
    expect(parseFilter(input).ok).toBe(true);
  });

  test("a nested object parses to the same tree as its dotted path", () => {
    const nestedForm = parseFilter({ data: { object: { amount: { $gt: 5 } } } });
    const dottedForm = parseFilter({ "data.object.amount": { $gt: 5 } });
    expect(nestedForm).toEqual(dottedForm);
    expect(dottedForm).toEqual({
      ok: true,
      filter: {
        kind: "field",
        target: { from: "payload", path: ["data", "object", "amount"] },
        test: { op: "$gt", bound: 5 },
      },
    });
  });

  test("header names are kept in lower case", () => {
    expect(parseFilter({ "headers.X-GitHub-Event": "push" })).toEqual({
      ok: true,
      filter: {
        kind: "field",
        target: { from: "header", name: "x-github-event" },
        test: { op: "$eq", value: "push" },
      },
    });
  });

  test("a regex is compiled once, when the filter is parsed", () => {
    const parsed = parseFilter({ type: { $regex: "^invoice\\." } });
    expect(parsed.ok && parsed.filter.kind === "field" && parsed.filter.test).toEqual({
      op: "$regex",
      pattern: /^invoice\./u,
    });
  });
});

describe("parseFilter refuses", () => {
  test.each([
    ["a string", "type", "filter", "must be a JSON object"],
    ["an array", [{ type: "a" }], "filter", "must be a JSON object"],
    ["null", null, "filter", "must be a JSON object"],
    [
      "an unknown field operator",
      { "data.amount": { $gtt: 5 } },
      "filter.data.amount.$gtt",
      `unknown operator "$gtt"; ${EXPECTED_OPERATORS}`,
    ],
    [
      "an unknown operator in a nested path",
      { data: { amount: { $gtt: 5 } } },
      "filter.data.amount.$gtt",
      `unknown operator "$gtt"; ${EXPECTED_OPERATORS}`,
    ],
    ["MongoDB's $ne", { status: { $ne: "a" } }, "filter.status.$ne", 'unknown operator "$ne"'],
    [
      "MongoDB's $exists",
      { status: { $exists: true } },
      "filter.status.$exists",
      'unknown operator "$exists"',
    ],
    [
      "an unknown document operator",
      { $nor: [{ a: 1 }] },
      "filter.$nor",
      'unknown operator "$nor"; expected $and, $or or a field path',
    ],
    [
      "a field operator without a field",
      { $eq: 5 },
      "filter.$eq",
      '$eq applies to a field: write {"<path>": {"$eq": …}}',
    ],
    [
      "$or on a field",
      { data: { $or: [{ a: 1 }] } },
      "filter.data.$or",
      "$or combines filter documents",
    ],
    [
      "$in that is not an array",
      { t: { $in: "a" } },
      "filter.t.$in",
      '$in takes an array of values, such as ["a", "b"], got a string',
    ],
    [
      "$nin that is not an array",
      { t: { $nin: { a: 1 } } },
      "filter.t.$nin",
      "$nin takes an array of values",
    ],
    [
      "$exist that is not a boolean",
      { t: { $exist: "yes" } },
      "filter.t.$exist",
      "$exist takes true or false, got a string",
    ],
    [
      "$gt with a boolean",
      { t: { $gt: true } },
      "filter.t.$gt",
      "$gt takes a number or a string, got true",
    ],
    [
      "$gte with null",
      { t: { $gte: null } },
      "filter.t.$gte",
      "$gte takes a number or a string, got null",
    ],
    [
      "$lt with an array",
      { t: { $lt: [1] } },
      "filter.t.$lt",
      "$lt takes a number or a string, got an array",
    ],
    [
      "$lte with infinity",
      { t: { $lte: Number.POSITIVE_INFINITY } },
      "filter.t.$lte",
      "got Infinity",
    ],
    [
      "$regex that is not a string",
      { t: { $regex: 5 } },
      "filter.t.$regex",
      "$regex takes a regular expression as a string, got a number",
    ],
    [
      "an invalid $regex",
      { t: { $regex: "(unclosed" } },
      "filter.t.$regex",
      "$regex is not a valid regular expression: ",
    ],
    [
      "a $regex the u flag refuses",
      { t: { $regex: "\\q" } },
      "filter.t.$regex",
      "not a valid regular expression",
    ],
    [
      "Go's inline flags",
      { t: { $regex: "(?i)^a" } },
      "filter.t.$regex",
      "not a valid regular expression",
    ],
    [
      "a $regex over the length limit",
      { t: { $regex: "a".repeat(257) } },
      "filter.t.$regex",
      "$regex is 257 characters; at most 256 are allowed, because it runs on every event",
    ],
    [
      "$and that is not an array",
      { $and: { a: 1 } },
      "filter.$and",
      "$and takes a non-empty array of filter documents",
    ],
    ["an empty $or", { $or: [] }, "filter.$or", "$or takes a non-empty array"],
    [
      "an $or entry that is not a document",
      { $or: [{ a: 1 }, "b"] },
      "filter.$or[1]",
      "must be a filter document (a JSON object), got a string",
    ],
    [
      "a problem inside $or",
      { $or: [{ a: 1 }, { type: { $gtt: 1 } }] },
      "filter.$or[1].type.$gtt",
      'unknown operator "$gtt"',
    ],
    [
      "operators mixed with fields",
      { data: { $gt: 1, amount: 2 } },
      "filter.data",
      "mixes operators ($gt) with fields (amount): give each field its own key",
    ],
    ["an empty path", { "": 1 }, "filter.", "is an empty path"],
    ["a path with an empty segment", { "a..b": 1 }, "filter.a..b", '"a..b" has an empty segment'],
    ["a path ending in a dot", { "a.": 1 }, "filter.a.", "has an empty segment"],
    [
      "Convoy's positional $. in a path",
      { "venues.$.lagos": "lekki" },
      "filter.venues.$.lagos",
      '"$" in a path is not a field name. A path through an array already looks in every element ("items.sku")',
    ],
    [
      "Convoy's positional $. at the start",
      { "$.venues.$.lagos": "lekki" },
      "filter.$.venues.$.lagos",
      'unknown operator "$.venues.$.lagos"; expected $and, $or or a field path. A path through an array',
    ],
    [
      "headers without a name",
      { headers: "push" },
      "filter.headers",
      'needs the header\'s name: "headers.<name>"',
    ],
    [
      "an operator on headers as a whole",
      { headers: { $exist: true } },
      "filter.headers",
      "needs the header's name",
    ],
    ["NaN as a value", { n: Number.NaN }, "filter.n", "must be JSON"],
    ["undefined as a value", { n: undefined }, "filter.n", "must be JSON"],
    ["a Date as a value", { n: { $eq: new Date(0) } }, "filter.n.$eq", "must be JSON"],
    [
      "a non-JSON entry in $in",
      { n: { $in: [1, Number.NaN] } },
      "filter.n.$in",
      "must be JSON: a string, a finite number, true, false, null, an array or an object (at [1])",
    ],
    [
      "nesting over the depth limit",
      nested(FILTER_LIMITS.maxDepth + 1),
      "filter",
      "nests objects and arrays more than 16 levels deep",
    ],
    [
      "a document over the size limit",
      { t: { $in: ["x".repeat(FILTER_LIMITS.maxJsonLength)] } },
      "filter",
      "characters of JSON; at most 32768 are allowed",
    ],
    [
      "conditions over the limit",
      Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`f${i}`, i])),
      "filter",
      "has 257 conditions; at most 256 are allowed",
    ],
    [
      "$or documents counted as conditions",
      { $or: Array.from({ length: 200 }, (_, i) => ({ [`f${i}`]: i })) },
      "filter",
      "has 400 conditions",
    ],
  ])("%s", (_name, input, path, message) => {
    const problems = problemsOf(input);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toContain(message);
  });

  test("every problem in a document, each at its own path", () => {
    expect(
      problemsOf({ a: { $gtt: 1 }, b: { $in: 2 }, $or: [{ c: { $exist: 1 } }], d: 4 }),
    ).toEqual([
      { path: "filter.a.$gtt", message: `unknown operator "$gtt"; ${EXPECTED_OPERATORS}` },
      {
        path: "filter.b.$in",
        message: '$in takes an array of values, such as ["a", "b"], got a number',
      },
      { path: "filter.$or[0].c.$exist", message: "$exist takes true or false, got a number" },
    ]);
  });

  test("a cyclic value is refused without looping", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(problemsOf(cyclic)[0]?.message).toContain("more than 16 levels deep");
  });

  test("a value that cannot be written as JSON is refused", () => {
    expect(problemsOf({ n: 10n })).toEqual([{ path: "filter", message: "must be JSON" }]);
  });
});
