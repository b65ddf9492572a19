/**
 * Whether an event passes an endpoint's filter. Runs in hookyard's process for each event
 * and endpoint at fan-out, so it allocates little and never throws: the filter was checked
 * when it was parsed, and a payload of any shape only makes conditions fail.
 */
import { isPlainObject, jsonEqual } from "./json.ts";
import type { FieldTarget, FieldTest, FilterNode, FilterSubject, PayloadFilter } from "./model.ts";

export function matchesFilter(filter: PayloadFilter, subject: FilterSubject): boolean {
  return matchesNode(filter, subject);
}

function matchesNode(node: FilterNode, subject: FilterSubject): boolean {
  switch (node.kind) {
    case "all":
      return node.of.every((branch) => matchesNode(branch, subject));
    case "any":
      return node.of.some((branch) => matchesNode(branch, subject));
    case "field":
      return passes(node.test, valuesAt(node.target, subject));
  }
}

/**
 * As in MongoDB, a test holds when any value found holds it (an array offers itself and
 * each element), and `$neq` / `$nin` are exactly "not `$eq`" / "not `$in`": a field
 * that is absent is not equal to anything.
 */
function passes(test: FieldTest, values: readonly unknown[]): boolean {
  switch (test.op) {
    case "$eq":
      return values.some((value) => jsonEqual(value, test.value));
    case "$neq":
      return !values.some((value) => jsonEqual(value, test.value));
    case "$in":
      return values.some((value) => test.values.some((listed) => jsonEqual(value, listed)));
    case "$nin":
      return !values.some((value) => test.values.some((listed) => jsonEqual(value, listed)));
    case "$gt":
      return someInOrder(values, test.bound, (sign) => sign > 0);
    case "$gte":
      return someInOrder(values, test.bound, (sign) => sign >= 0);
    case "$lt":
      return someInOrder(values, test.bound, (sign) => sign < 0);
    case "$lte":
      return someInOrder(values, test.bound, (sign) => sign <= 0);
    case "$exist": {
      const present = values.length > 0;
      return present === test.present;
    }
    case "$regex":
      return values.some((value) => typeof value === "string" && test.pattern.test(value));
  }
}

/**
 * Whether any value compares with `bound` as `accept` wants (the sign of value − bound).
 * Numbers compare by value, strings by UTF-16 code units; any other pair has no order, so
 * a numeric string is never above a number.
 */
function someInOrder(
  values: readonly unknown[],
  bound: number | string,
  accept: (sign: number) => boolean,
): boolean {
  return values.some((value) => {
    if (typeof value !== typeof bound) return false;
    const same = value as typeof bound;
    return accept(same < bound ? -1 : same > bound ? 1 : 0);
  });
}

/** Every value the target names in the subject; none when it is absent. */
function valuesAt(target: FieldTarget, subject: FilterSubject): unknown[] {
  if (target.from === "header") {
    const value = headerValue(subject.headers, target.name);
    return value === undefined ? [] : [value];
  }
  const found: unknown[] = [];
  collect(subject.payload, target.path, 0, found);
  return found;
}

function headerValue(headers: FilterSubject["headers"], name: string): string | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  // Subjects should carry lower-case names; one that does not still matches.
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/**
 * Walks `path` from `value`. A number indexes an array (`items.0.sku`); a name applied to
 * an array applies to each element (`items.sku` collects every item's sku), one level
 * only, as in MongoDB. At the end, an array is found both whole and element by element.
 * Own properties only: `constructor` in a path must not find `Object`.
 */
function collect(value: unknown, path: readonly string[], depth: number, found: unknown[]): void {
  if (depth === path.length) {
    found.push(value);
    if (Array.isArray(value)) for (const element of value) found.push(element);
    return;
  }
  const segment = path[depth] as string;
  if (Array.isArray(value)) {
    if (isArrayIndex(segment)) {
      const index = Number(segment);
      if (index < value.length) collect(value[index], path, depth + 1, found);
      return;
    }
    for (const element of value) {
      if (isPlainObject(element)) collect(element, path, depth, found);
    }
    return;
  }
  if (isPlainObject(value) && Object.hasOwn(value, segment)) {
    collect(value[segment], path, depth + 1, found);
  }
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,15})$/;

function isArrayIndex(segment: string): boolean {
  return ARRAY_INDEX.test(segment);
}
