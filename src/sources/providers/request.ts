/** Reading one request: its headers and the fields of its parsed body. */
import type { Verification } from "./provider.ts";

/** A header's value, `undefined` when absent or blank. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)?.trim();
  return value ? value : undefined;
}

export function missingHeader(header: string): Verification {
  return { ok: false, reason: `missing ${header} header` };
}

/**
 * The value at a dotted path of a parsed body (`["data", "object", "type"]`; a number
 * segment indexes an array), or `undefined`. Only a document's own fields are followed,
 * so `constructor` or `__proto__` in a path finds nothing rather than a prototype.
 */
export function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A non-empty string at `path`, or `undefined`. */
export function stringAt(document: unknown, ...path: readonly string[]): string | undefined {
  const value = valueAt(document, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}
