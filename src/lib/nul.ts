/**
 * U+0000 cannot be stored: PostgreSQL's text and jsonb refuse it (SQLite takes it). Text
 * holding one is refused where it comes in, the same on both databases, rather than
 * accepted by one and failing with a 500 in the other.
 */
export const holdsNul = (text: string): boolean => text.includes("\u0000");

/**
 * Whether JSON text holds the escape `\u0000`: a backslash run of odd length before
 * `u0000` (an even one is escaped backslashes, then the letters). A raw NUL cannot occur
 * in valid JSON, so this sees every NUL the parsed value can hold, keys included.
 */
export const jsonHoldsNul = (json: string): boolean => /(?<!\\)(?:\\\\)*\\u0000/.test(json);

export const NUL_MESSAGE = "holds a NUL character (U+0000), which hookyard cannot store";
