/**
 * Strict base64: `Buffer.from(text, "base64")` skips characters outside the alphabet and
 * stops at stray padding, so garbage decodes to *something*. Pub/Sub sends standard base64;
 * URL-safe base64 is accepted too (some publishers and tools produce it), but not a mix of
 * the two, and padding must be absent or complete.
 */

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9\-_]*={0,2}$/;

/** The decoded bytes, or undefined when `text` is not base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!STANDARD.test(text) && !URL_SAFE.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, "");
  // Padded text comes in whole quartets; unpadded text cannot end with a lone sextet.
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  if (unpadded.length % 4 === 1) return undefined;
  // Node's decoder reads both alphabets once the text is known to be clean.
  return new Uint8Array(Buffer.from(unpadded, "base64"));
}
