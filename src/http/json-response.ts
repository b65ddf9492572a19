/**
 * A JSON response that carries a large value as the JSON text it was received as, rather
 * than serializing the value again: for a 24 MB entity event, JSON.stringify held the
 * serving thread for 130-220 ms, and turning the result into a response body another 70.
 * The text goes out in slices, each encoded when the connection asks for it.
 */
import { reusableJsonText } from "../lib/storable.ts";
import { LARGE_BODY_BYTES } from "./body.ts";
import { jsonResponse } from "./errors.ts";

const SLICE_CHARACTERS = 512 * 1024;

/**
 * `body` as JSON with `body[field]` written as `text`, the checked JSON text that value
 * was parsed from (the body's JSON as ./body.ts decoded it); `field` comes last. Small
 * texts, and those with numbers that would not read back the same, are serialized as
 * usual.
 */
export function jsonResponseWithRawField(
  body: Readonly<Record<string, unknown>>,
  field: string,
  text: string,
  status: number,
): Response {
  if (text.length < LARGE_BODY_BYTES || reusableJsonText(text) === undefined) {
    return jsonResponse(body, status);
  }
  const { [field]: _, ...rest } = body;
  const head = JSON.stringify({ ...rest, [field]: null });
  const pieces = [head.slice(0, -"null}".length), ...slices(text), "}"];
  const encoder = new TextEncoder();
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(encoder.encode(piece));
    },
  });
  return new Response(stream, { status, headers: { "content-type": "application/json" } });
}

/** `text` in slices, none ending between the two halves of a surrogate pair. */
function slices(text: string): string[] {
  const out: string[] = [];
  for (let from = 0; from < text.length; ) {
    let to = Math.min(text.length, from + SLICE_CHARACTERS);
    const last = text.charCodeAt(to - 1);
    if (to < text.length && last >= 0xd800 && last <= 0xdbff) to--;
    out.push(text.slice(from, to));
    from = to;
  }
  return out;
}
