/**
 * matchesFilter against a reference written another way: it reads the filter document as
 * given (no parsed tree), finds a path's values by listing every node of the payload and
 * keeping those whose position lines up with the path, and compares values by their
 * canonical JSON text. Slow, but short enough to check by eye against docs/filters.md.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { matchesFilter, parseFilter } from "../../../../src/delivery/payload-filter/index.ts";

/** Fixed, so that a failure reproduces; fast-check prints the counterexample and its path. */
const SEED = 20_261_205;

// ---------------------------------------------------------------- the reference evaluator

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = { readonly key: string; readonly index: boolean };

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isPosition = (segment: string | undefined) =>
  segment !== undefined && /^(0|[1-9][0-9]*)$/.test(segment);

/** JSON text with object keys sorted: equal values, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Every node of the payload with the steps that lead to it. */
function allNodes(value: unknown, steps: Step[] = []): [Step[], unknown][] {
  const nodes: [Step[], unknown][] = [[steps, value]];
  if (Array.isArray(value)) {
    value.forEach((element, i) => {
      nodes.push(...allNodes(element, [...steps, { key: String(i), index: true }]));
    });
  } else if (isObject(value)) {
    for (const [key, element] of Object.entries(value)) {
      nodes.push(...allNodes(element, [...steps, { key, index: false }]));
    }
  }
  return nodes;
}

/**
 * Whether the steps to a node spell the path. An array position either is a number in the
 * path, or is passed over: before a name (never twice running), or once at the very end.
 */
function linesUp(steps: readonly Step[], path: readonly string[]): boolean {
  let next = 0;
  let passedOver = false;
  for (const [i, step] of steps.entries()) {
    if (!step.index || isPosition(path[next])) {
      if (path[next] !== step.key) return false;
      next += 1;
      passedOver = false;
    } else if (passedOver) {
      return false;
    } else if (next === path.length) {
      return i === steps.length - 1;
    } else {
      passedOver = true;
    }
  }
  return next === path.length;
}

function referenceValues(path: string[], subject: Subject): unknown[] {
  if (path[0] === "headers") {
    const name = path.slice(1).join(".").toLowerCase();
    return Object.entries(subject.headers)
      .filter(([key]) => key.toLowerCase() === name)
      .map(([, value]) => value);
  }
  return allNodes(subject.payload)
    .filter(([steps]) => linesUp(steps, path))
    .map(([, value]) => value);
}

function referenceOperator(op: string, operand: Json, values: unknown[]): boolean {
  const equal = (a: unknown, b: unknown) => canonical(a) === canonical(b);
  const list = operand as Json[];
  const ordered = (test: (a: number | string, b: number | string) => boolean) =>
    values.some(
      (value) =>
        (typeof value === "number" || typeof value === "string") &&
        typeof value === typeof operand &&
        test(value, operand as number | string),
    );
  switch (op) {
    case "$eq":
      return values.some((value) => equal(value, operand));
    case "$neq":
      return values.every((value) => !equal(value, operand));
    case "$in":
      return values.some((value) => list.some((item) => equal(value, item)));
    case "$nin":
      return values.every((value) => list.every((item) => !equal(value, item)));
    case "$gt":
      return ordered((a, b) => a > b);
    case "$gte":
      return ordered((a, b) => a >= b);
    case "$lt":
      return ordered((a, b) => a < b);
    case "$lte":
      return ordered((a, b) => a <= b);
    case "$exist":
      return values.length > 0 === operand;
    case "$regex":
      return values.some(
        (value) => typeof value === "string" && new RegExp(operand as string, "u").test(value),
      );
    default:
      throw new Error(`the generator made ${op}`);
  }
}

function referenceField(path: string[], value: Json, subject: Subject): boolean {
  const keys = isObject(value) ? Object.keys(value) : [];
  if (isObject(value) && keys.length > 0 && !keys.some((key) => key.startsWith("$"))) {
    return Object.entries(value).every(([key, inner]) =>
      referenceField([...path, ...key.split(".")], inner, subject),
    );
  }
  const values = referenceValues(path, subject);
  const operators: [string, Json][] =
    keys.length > 0 ? Object.entries(value as object) : [["$eq", value]];
  return operators.every(([op, operand]) => referenceOperator(op, operand, values));
}

function referenceMatches(document: Record<string, Json>, subject: Subject): boolean {
  return Object.entries(document).every(([key, value]) => {
    const branches = value as Record<string, Json>[];
    if (key === "$and") return branches.every((branch) => referenceMatches(branch, subject));
    if (key === "$or") return branches.some((branch) => referenceMatches(branch, subject));
    return referenceField(key.split("."), value, subject);
  });
}

// ---------------------------------------------------------------- the generators

interface Subject {
  readonly payload: Json;
  readonly headers: Record<string, string>;
}

/** Few names and values, so that paths often find something and values often agree. */
const NAMES = ["a", "b", "0"];
const name = fc.constantFrom(...NAMES);
const SCALARS: Json[] = [null, true, false, 0, 1, 2, "x", "y", "10", "9", ""];
const scalar = fc.constantFrom(...SCALARS);
/** Small structures, in payloads and in filters alike, so that deep equality is exercised. */
const STRUCTURES: Json[] = [[], {}, ["x"], [1, "x"], { a: 1 }, { a: 1, b: "x" }];
// A fresh copy each time: equal values, never the same object, as in a real event.
const structure = fc.constantFrom(...STRUCTURES).map((value) => structuredClone(value));

/** Objects and arrays down to `depth`, often arrays of objects and arrays of arrays. */
function payloadValue(depth: number): fc.Arbitrary<Json> {
  if (depth === 0) return scalar;
  const inner = payloadValue(depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: scalar },
    { weight: 1, arbitrary: structure },
    { weight: 2, arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }) },
    { weight: 3, arbitrary: fc.dictionary(name, inner, { minKeys: 1, maxKeys: 3 }) },
  );
}

const payloads: fc.Arbitrary<Json> = fc.oneof(
  { weight: 9, arbitrary: fc.dictionary(name, payloadValue(3), { minKeys: 1, maxKeys: 3 }) },
  { weight: 1, arbitrary: payloadValue(3) },
);

const HEADER_NAMES = ["x-a", "x-b"];
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));

const headers: fc.Arbitrary<Record<string, string>> = fc
  .subarray(HEADER_NAMES)
  .chain((names) =>
    fc.tuple(
      ...names.map((header) => fc.tuple(randomCase(header), fc.constantFrom("x", "y", "10"))),
    ),
  )
  .map((entries) => Object.fromEntries(entries));

const path = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.array(name, { minLength: 1, maxLength: 3 }).map((names) => names.join(".")),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...HEADER_NAMES)
      .chain(randomCase)
      .map((header) => `headers.${header}`),
  },
);

const literal: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: structure },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
);

const operator: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(fc.constantFrom("$eq", "$neq"), literal),
  fc.tuple(fc.constantFrom("$in", "$nin"), fc.array(literal, { maxLength: 3 })),
  fc.tuple(fc.constantFrom("$gt", "$gte", "$lt", "$lte"), fc.constantFrom(0, 1, 2, "x", "10", "9")),
  fc.tuple(fc.constant("$exist"), fc.boolean()),
  fc.tuple(fc.constant("$regex"), fc.constantFrom("^x", "y$", "1", "^(x|y)$", ".", "^$")),
);

const operators = fc
  .array(operator, { minLength: 1, maxLength: 2 })
  .map((entries) => Object.fromEntries(entries) as Json);

/**
 * A field's value: a literal (equality), operators, or, while `nesting` lasts, an object
 * that carries the path on (Convoy's nesting).
 */
function fieldValue(nesting: number): fc.Arbitrary<Json> {
  const choices = [literal, operators];
  if (nesting > 0) {
    const more = fc
      .array(fc.tuple(name, fieldValue(nesting - 1)), { minLength: 1, maxLength: 2 })
      .map((entries) => Object.fromEntries(entries) as Json);
    choices.push(more);
  }
  return fc.oneof(...choices);
}

/**
 * A document of up to three fields and, while `levels` last, one `$and` or `$or` of
 * documents. Three levels and two of nesting stay well inside the depth limit.
 */
function filterDocument(levels: number): fc.Arbitrary<Record<string, Json>> {
  const fields = fc.array(fc.tuple(path, fieldValue(2)), { maxLength: 3 });
  if (levels === 0) return fields.map((entries) => Object.fromEntries(entries));
  const logical = fc.option(
    fc.tuple(
      fc.constantFrom("$and", "$or"),
      fc.array(filterDocument(levels - 1), { minLength: 1, maxLength: 3 }),
    ),
    { freq: 3 },
  );
  return fc.tuple(fields, logical).map(([entries, combined]) => {
    const document: Record<string, Json> = Object.fromEntries(entries);
    if (combined) document[combined[0]] = combined[1];
    return document;
  });
}

const documents = filterDocument(3);

/** One field and its operators: each test decides the outcome, so a wrong one shows. */
const singleConditions = fc
  .tuple(path, fieldValue(1))
  .map(([key, value]): Record<string, Json> => ({ [key]: value }));

// ---------------------------------------------------------------- the properties

/** Runs the reference and the real thing on each case; both outcomes must be common. */
function agrees(filters: fc.Arbitrary<Record<string, Json>>, runs: number): void {
  const outcomes = { true: 0, false: 0 };
  fc.assert(
    fc.property(filters, payloads, headers, (document, payload, subjectHeaders) => {
      const parsed = parseFilter(document);
      if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.problems)}`);
      const subject = { payload, headers: subjectHeaders };
      const actual = matchesFilter(parsed.filter, subject);
      expect(actual).toBe(referenceMatches(document, subject));
      outcomes[`${actual}`] += 1;
    }),
    { seed: SEED, numRuns: runs },
  );
  // A generator that made only matches (or only misses) would prove little.
  expect(outcomes.true).toBeGreaterThan(runs / 10);
  expect(outcomes.false).toBeGreaterThan(runs / 10);
}

describe("matchesFilter, against the reference evaluator", () => {
  test("agrees on single conditions", () => agrees(singleConditions, 4_000));

  test("agrees on documents with several fields, $and and $or", () => agrees(documents, 2_000));

  test("a document wrapped in an $or of one branch is the same filter", () => {
    fc.assert(
      fc.property(documents, payloads, (document, payload) => {
        const plain = parseFilter(document);
        const wrapped = parseFilter({ $or: [document] });
        if (!plain.ok || !wrapped.ok) throw new Error("refused");
        const subject = { payload, headers: {} };
        expect(matchesFilter(wrapped.filter, subject)).toBe(matchesFilter(plain.filter, subject));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe("parseFilter on arbitrary input", () => {
  test("answers a filter or problems, never throws", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 20 }), (input) => {
        const parsed = parseFilter(input);
        if (parsed.ok) {
          expect(() => matchesFilter(parsed.filter, { payload: input, headers: {} })).not.toThrow();
        } else {
          expect(parsed.problems.length).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});
