/**
 * Text hookyard can store. PostgreSQL's text and jsonb refuse U+0000 and a lone UTF-16
 * surrogate (a `\ud800` escape with no partner), which SQLite and JavaScript take. Text
 * holding either is refused where it comes in, the same on both databases, rather than
 * accepted by one and failing with a 500 in the other.
 */
export const isStorableText = (text: string): boolean =>
  !text.includes("\u0000") && text.isWellFormed();

/**
 * Whether every key and string of `value`, parsed from the JSON text `json`, is storable.
 * In JSON decoded as strict UTF-8 only a `\u` escape can bring in either character, so
 * text without one is not walked.
 */
export function isStorableJson(value: unknown, json: string): boolean {
  return !json.includes("\\u") || isStorableValue(value);
}

function isStorableValue(value: unknown): boolean {
  if (typeof value === "string") return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableValue);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).every(
      ([key, item]) => isStorableText(key) && isStorableValue(item),
    );
  }
  return true;
}

export const UNSTORABLE_MESSAGE =
  "holds a NUL character (U+0000) or a lone surrogate (such as \\ud800), which hookyard cannot store";
