/** Deep equality and the plain-object test for JSON values, as filters compare them. */
import type { JsonValue } from "./model.ts";

/**
 * An object as `JSON.parse` makes it. Class instances (a `Date`, a `Map`) are refused:
 * they would pass for objects with no keys.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Where inside `value` it stops being JSON (`""` for itself), or `undefined` when all of it is. */
export function nonJsonPart(value: unknown): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "";
  if (Array.isArray(value)) {
    for (const [index, element] of value.entries()) {
      const inner = nonJsonPart(element);
      if (inner !== undefined) return `[${index}]${inner}`;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, element] of Object.entries(value)) {
      const inner = nonJsonPart(element);
      if (inner !== undefined) return `.${key}${inner}`;
    }
    return undefined;
  }
  return "";
}

/**
 * JSON equality: the same scalar, arrays equal element by element in order, objects with
 * the same keys (in any order) holding equal values. The recursion ends where either side
 * does, and the filter's side is bounded in depth when it is parsed.
 */
export function jsonEqual(a: unknown, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false;
  if (Array.isArray(b)) {
    return Array.isArray(a) && a.length === b.length && b.every((item, i) => jsonEqual(a[i], item));
  }
  if (Array.isArray(a)) return false;
  const object = a as Record<string, unknown>;
  const expected = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(expected);
  return (
    Object.keys(object).length === keys.length &&
    keys.every(
      (key) => Object.hasOwn(object, key) && jsonEqual(object[key], expected[key] as JsonValue),
    )
  );
}
