/**
 * What hookyard can store, checked where text and JSON come in so that what one database
 * (or JavaScript itself) cannot take is refused with a 4xx, the same on both, rather than
 * accepted and failing later with a 500.
 *
 * Text: PostgreSQL's text and jsonb refuse U+0000 and a lone UTF-16 surrogate (a `\ud800`
 * escape with no partner), which SQLite and JavaScript take.
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

/**
 * How deep JSON may nest. JSON.parse takes any depth, but JSON.stringify (which stores
 * and shows a payload) recurses and overflows the stack somewhere past 20,000 levels; no
 * real webhook nests more than a few dozen.
 */
export const MAX_JSON_DEPTH = 512;

/** Why a parsed JSON value (and the text it came from) cannot be stored, or undefined. */
export function unstorableJson(value: unknown, json: string): string | undefined {
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    return `nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`;
  }
  return isStorableJson(value, json) ? undefined : UNSTORABLE_MESSAGE;
}

/** Counts brackets outside strings, in one pass: walking the value would itself recurse. */
function nestsDeeperThan(json: string, max: number): boolean {
  // Each level needs an opening bracket, so text with few of them cannot be too deep:
  // counting them with indexOf is many times faster than the walk below, which a typical
  // payload (a 5 KB push has a few dozen) never needs.
  if (json.length <= max || openingBrackets(json, max + 1) <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      // Skips what a backslash escapes, so an escaped quote does not end the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** How many `{` and `[` `json` holds, counting no further than `enough`. */
function openingBrackets(json: string, enough: number): number {
  let count = 0;
  for (const bracket of ["{", "["]) {
    for (
      let at = json.indexOf(bracket);
      at !== -1 && count < enough;
      at = json.indexOf(bracket, at + 1)
    ) {
      count++;
    }
  }
  return count;
}

/**
 * A JSON number PostgreSQL's jsonb refuses although JavaScript reads it: an exponent past
 * ±1000 (four digits or more), or more digits than its numeric type holds. Only where a
 * number can start (after `:`, `,`, `[` or at the top), so that the hex digits of a commit
 * id ("…7e1234…") are not taken for one.
 */
const HUGE_EXPONENT = /(?:^|[:,[])[ \t\n\r]*-?\d[\d.]*[eE][+-]?\d{4}/;
const TOO_MANY_DIGITS = 16_000;
const HUGE_NUMBER = new RegExp(`\\d{${TOO_MANY_DIGITS}}`);

/**
 * JSON text that may be stored as received instead of serializing its parsed value again
 * (for a 5 KB push, JSON.stringify costs more than all the checks above), or undefined when
 * it holds a number jsonb refuses: serialized again, that number is the Infinity-made-null
 * or the rounded value JSON.parse read, the same on both databases. Any other number may
 * be stored as written: read back, JavaScript parses it to the same value it did here.
 */
export function reusableJsonText(json: string): string | undefined {
  // Two tests, the second only for text long enough to hold such a number: as one
  // alternation, the digit run was tried at every position of every body (twice the time).
  const beyondJsonb =
    HUGE_EXPONENT.test(json) || (json.length >= TOO_MANY_DIGITS && HUGE_NUMBER.test(json));
  return beyondJsonb ? undefined : json;
}
