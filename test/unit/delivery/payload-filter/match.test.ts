import { describe, expect, test } from "bun:test";
import { matchesFilter, parseFilter } from "../../../../src/delivery/payload-filter/index.ts";

/** Parses `filter` (which must be valid) and matches it against the event. */
function matches(filter: unknown, payload: unknown, headers: Record<string, string> = {}): boolean {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`filter refused: ${JSON.stringify(parsed.problems)}`);
  return matchesFilter(parsed.filter, { payload, headers });
}

type Case = readonly [name: string, filter: unknown, payload: unknown, expected: boolean];

function table(cases: readonly Case[]): void {
  test.each(cases)("%s", (_name, filter, payload, expected) => {
    expect(matches(filter, payload)).toBe(expected);
  });
}

describe("equality (a bare value, or $eq)", () => {
  table([
    ["a string equal to the field", { type: "invoice.paid" }, { type: "invoice.paid" }, true],
    ["a different string", { type: "invoice.paid" }, { type: "invoice.created" }, false],
    ["an absent field equals nothing", { type: "invoice.paid" }, { kind: "x" }, false],
    ["a number is not its string", { amount: 1 }, { amount: "1" }, false],
    ["1 and 1.0 are one number", { amount: 1 }, JSON.parse('{"amount": 1.0}'), true],
    ["false is not null", { paid: false }, { paid: null }, false],
    ["null equals a present null", { paid: null }, { paid: null }, true],
    ["null does not equal an absent field", { paid: null }, {}, false],
    ["$eq is the same test", { type: { $eq: "a" } }, { type: "a" }, true],
    ["an array field holding the value", { tags: "vip" }, { tags: ["new", "vip"] }, true],
    ["an array field without the value", { tags: "vip" }, { tags: ["new"] }, false],
    ["an array value equals the same array", { tags: ["a", "b"] }, { tags: ["a", "b"] }, true],
    ["arrays are ordered", { tags: ["a", "b"] }, { tags: ["b", "a"] }, false],
    ["an array value equals an element that is that array", { m: [1] }, { m: [[1], [2]] }, true],
    [
      "$eq with an object compares deeply, keys in any order",
      { data: { $eq: { a: 1, b: [1, { c: null }] } } },
      { data: { b: [1, { c: null }], a: 1 } },
      true,
    ],
    [
      "$eq with an object refuses an extra key",
      { data: { $eq: { a: 1 } } },
      { data: { a: 1, b: 2 } },
      false,
    ],
    [
      "$eq with an object refuses a missing key",
      { data: { $eq: { a: 1, b: 2 } } },
      { data: { a: 1 } },
      false,
    ],
    ["{} under a field equals an empty object", { customer: {} }, { customer: {} }, true],
    ["{} under a field does not equal a full one", { customer: {} }, { customer: { a: 1 } }, false],
    ["{} under a field does not match an absent one", { customer: {} }, {}, false],
  ]);
});

describe("$neq: not $eq", () => {
  table([
    ["a different value", { status: { $neq: "draft" } }, { status: "open" }, true],
    ["the same value", { status: { $neq: "draft" } }, { status: "draft" }, false],
    ["an absent field is not equal", { status: { $neq: "draft" } }, {}, true],
    ["an array holding the value", { tags: { $neq: "vip" } }, { tags: ["vip", "new"] }, false],
    ["an array without the value", { tags: { $neq: "vip" } }, { tags: ["new"] }, true],
    ["a number and its string differ", { n: { $neq: 1 } }, { n: "1" }, true],
    ["an object compared deeply", { o: { $neq: { a: 1 } } }, { o: { a: 1 } }, false],
  ]);
});

describe("$in and $nin", () => {
  table([
    [
      "$in: a listed value",
      { topic: { $in: ["orders/create", "orders/paid"] } },
      { topic: "orders/paid" },
      true,
    ],
    [
      "$in: an unlisted value",
      { topic: { $in: ["orders/create"] } },
      { topic: "orders/paid" },
      false,
    ],
    ["$in: an absent field", { topic: { $in: ["a"] } }, {}, false],
    [
      "$in: an array with a listed element",
      { tags: { $in: ["vip", "gold"] } },
      { tags: ["new", "gold"] },
      true,
    ],
    ["$in: an array with none listed", { tags: { $in: ["vip"] } }, { tags: ["new"] }, false],
    ["$in: an empty list takes nothing", { topic: { $in: [] } }, { topic: "a" }, false],
    [
      "$in: listed objects compare deeply",
      { o: { $in: [{ a: 1 }, { a: 2 }] } },
      { o: { a: 2 } },
      true,
    ],
    ["$in: types are not converted", { n: { $in: ["1"] } }, { n: 1 }, false],
    ["$nin: an unlisted value", { topic: { $nin: ["a", "b"] } }, { topic: "c" }, true],
    ["$nin: a listed value", { topic: { $nin: ["a", "b"] } }, { topic: "b" }, false],
    ["$nin: an absent field", { topic: { $nin: ["a"] } }, {}, true],
    [
      "$nin: an array with a listed element",
      { tags: { $nin: ["vip"] } },
      { tags: ["new", "vip"] },
      false,
    ],
    ["$nin: an empty list takes everything", { topic: { $nin: [] } }, { topic: "a" }, true],
  ]);
});

describe("$gt, $gte, $lt, $lte", () => {
  table([
    ["$gt: above", { amount: { $gt: 100 } }, { amount: 101 }, true],
    ["$gt: equal", { amount: { $gt: 100 } }, { amount: 100 }, false],
    ["$gte: equal", { amount: { $gte: 100 } }, { amount: 100 }, true],
    ["$gte: below", { amount: { $gte: 100 } }, { amount: 99.5 }, false],
    ["$lt: below", { amount: { $lt: 100 } }, { amount: -3 }, true],
    ["$lt: equal", { amount: { $lt: 100 } }, { amount: 100 }, false],
    ["$lte: equal", { amount: { $lte: 100 } }, { amount: 100 }, true],
    ["$lte: above", { amount: { $lte: 100 } }, { amount: 100.01 }, false],
    [
      "strings compare as strings",
      { at: { $gte: "2026-01-01" } },
      { at: "2026-03-04T05:06:07Z" },
      true,
    ],
    ["strings compare character by character", { v: { $gt: "9" } }, { v: "10" }, false],
    ["a numeric string is not a number", { amount: { $gt: 5 } }, { amount: "10" }, false],
    ["a number is not a string", { amount: { $lt: "5" } }, { amount: 1 }, false],
    ["null has no order", { amount: { $lte: 0 } }, { amount: null }, false],
    ["a boolean has no order", { amount: { $gte: 0 } }, { amount: true }, false],
    ["an absent field has no order", { amount: { $lt: 5 } }, {}, false],
    ["an array with an element in range", { scores: { $gt: 90 } }, { scores: [10, 95] }, true],
    ["an array with none in range", { scores: { $gt: 90 } }, { scores: [10, 20] }, false],
    ["a range: both bounds hold", { n: { $gte: 10, $lt: 20 } }, { n: 15 }, true],
    ["a range: one bound fails", { n: { $gte: 10, $lt: 20 } }, { n: 20 }, false],
  ]);
});

describe("$exist", () => {
  table([
    ["true: present", { customer: { $exist: true } }, { customer: "cus_1" }, true],
    ["true: present and null", { customer: { $exist: true } }, { customer: null }, true],
    ["true: absent", { customer: { $exist: true } }, {}, false],
    ["false: absent", { customer: { $exist: false } }, { type: "x" }, true],
    ["false: present", { customer: { $exist: false } }, { customer: "cus_1" }, false],
    ["false with another test on an absent field", { c: { $exist: false, $eq: "a" } }, {}, false],
    [
      "through an array: one element has it",
      { "items.sku": { $exist: true } },
      { items: [{}, { sku: 1 }] },
      true,
    ],
    [
      "through an array: none has it",
      { "items.sku": { $exist: true } },
      { items: [{}, { id: 1 }] },
      false,
    ],
    ["inherited properties do not exist", { constructor: { $exist: true } }, {}, false],
  ]);
});

describe("$regex", () => {
  table([
    ["a match", { type: { $regex: "^invoice\\." } }, { type: "invoice.paid" }, true],
    ["no match", { type: { $regex: "^invoice\\." } }, { type: "charge.invoice.x" }, false],
    [
      "unanchored: anywhere in the string",
      { email: { $regex: "@example\\.com" } },
      { email: "a@example.com" },
      true,
    ],
    ["a number is not searched", { n: { $regex: "1" } }, { n: 1 }, false],
    ["an absent field", { type: { $regex: "." } }, {}, false],
    [
      "an array with a matching string",
      { tags: { $regex: "^v" } },
      { tags: [1, "new", "vip"] },
      true,
    ],
    ["code points, not UTF-16 halves", { e: { $regex: "^.$" } }, { e: "😀" }, true],
    ["case-sensitive", { type: { $regex: "^Invoice" } }, { type: "invoice.paid" }, false],
  ]);
});

describe("paths", () => {
  table([
    [
      "a dotted path",
      { "data.object.amount": { $gt: 5 } },
      { data: { object: { amount: 6 } } },
      true,
    ],
    [
      "a nested object is the same path (Convoy)",
      { data: { object: { amount: { $gt: 5 } } } },
      { data: { object: { amount: 6 } } },
      true,
    ],
    [
      "nested fields all hold",
      { data: { object: { amount: { $gt: 5 }, currency: "usd" } } },
      { data: { object: { amount: 6, currency: "eur" } } },
      false,
    ],
    [
      "a name through an array looks in every element",
      { "items.sku": "B-2" },
      { items: [{ sku: "A-1" }, { sku: "B-2" }] },
      true,
    ],
    [
      "a number picks one element",
      { "items.0.sku": "B-2" },
      { items: [{ sku: "A-1" }, { sku: "B-2" }] },
      false,
    ],
    ["a number past the end finds nothing", { "items.5": { $exist: true } }, { items: [1] }, false],
    ["a number names an object's key", { "m.0": "x" }, { m: { "0": "x" } }, true],
    ["a leading zero is a name, not a position", { "m.01": "x" }, { m: ["y", "x"] }, false],
    [
      "arrays within arrays are not opened by a name",
      { "items.sku": "A" },
      { items: [[{ sku: "A" }]] },
      false,
    ],
    ["a path into a scalar finds nothing", { "type.length": 5 }, { type: "abcde" }, false],
    ["a payload that is an array", { "0.type": "a" }, [{ type: "a" }], true],
    ["a payload that is not an object", { type: "a" }, "type", false],
    ["a null payload", { type: { $exist: false } }, null, true],
  ]);
});

describe("$and, $or and several keys", () => {
  table([
    ["{} matches everything", {}, { anything: 1 }, true],
    ["{} matches a null payload", {}, null, true],
    ["several keys all hold", { type: "a", n: 1 }, { type: "a", n: 1 }, true],
    ["several keys: one fails", { type: "a", n: 1 }, { type: "a", n: 2 }, false],
    ["$or: the second holds", { $or: [{ type: "a" }, { type: "b" }] }, { type: "b" }, true],
    ["$or: none holds", { $or: [{ type: "a" }, { type: "b" }] }, { type: "c" }, false],
    ["$or with an empty document holds", { $or: [{ type: "a" }, {}] }, { type: "c" }, true],
    ["$and: all hold", { $and: [{ n: { $gt: 1 } }, { n: { $lt: 3 } }] }, { n: 2 }, true],
    ["$and: one fails", { $and: [{ n: { $gt: 1 } }, { n: { $lt: 3 } }] }, { n: 3 }, false],
    [
      "$and of $or (Convoy's example)",
      { $and: [{ age: { $gte: 10 } }, { $or: [{ type: "weekly" }, { cities: "lagos" }] }] },
      { age: 12, type: "daily", cities: ["accra", "lagos"] },
      true,
    ],
    [
      "$or beside a field: both must hold",
      { type: "a", $or: [{ n: 1 }, { n: 2 }] },
      { type: "b", n: 1 },
      false,
    ],
  ]);
});

describe("headers", () => {
  const headers = { "x-shopify-topic": "orders/create", "x-count": "10" };

  test.each([
    ["a header's value", { "headers.x-shopify-topic": "orders/create" }, true],
    ["a header name in any case", { "headers.X-Shopify-Topic": "orders/create" }, true],
    ["nested under headers", { headers: { "X-Shopify-Topic": { $in: ["orders/create"] } } }, true],
    ["another value", { "headers.x-shopify-topic": "orders/paid" }, false],
    ["an absent header", { "headers.x-other": { $exist: true } }, false],
    ["an absent header is not equal", { "headers.x-other": { $neq: "a" } }, true],
    ["a regex on a header", { "headers.x-shopify-topic": { $regex: "^orders/" } }, true],
    ["header values are strings", { "headers.x-count": { $gt: 5 } }, false],
    ["compared as strings", { "headers.x-count": { $gte: "10" } }, true],
    ["with payload conditions", { "headers.x-count": "10", type: "a" }, true],
  ] as const)("%s", (_name, filter, expected) => {
    expect(matches(filter, { type: "a", headers: { "x-other": "a" } }, headers)).toBe(expected);
  });

  test("a subject whose header names are not lower case still matches", () => {
    expect(matches({ "headers.x-event": "push" }, {}, { "X-Event": "push" })).toBe(true);
  });

  test("a payload field called headers is not what headers. names", () => {
    expect(matches({ "headers.x-event": "push" }, { headers: { "x-event": "push" } })).toBe(false);
  });
});
