/**
 * A JSON response that carries a large value as the JSON it was received as, rather than
 * serializing the value again: for a 24 MB entity event, JSON.stringify held the serving
 * thread for 130-220 ms, and turning the result into a response body another 70. The
 * JSON goes out in slices, each copied when the connection asks for it, with pauses for
 * other requests.
 */
import { pauseEvery } from "../lib/json-slices.ts";
import { LARGE_BODY_BYTES } from "./body.ts";
import { jsonResponse } from "./errors.ts";

/**
 * Small enough that the copies come from memory freed by the last ones, not fresh pages:
 * with 512 KiB slices, and Bun asking for the next as soon as one was written, sending
 * 24 MB held this thread for 100-200 ms.
 */
const SLICE_BYTES = 64 * 1024;

/** How long slices are copied before other requests get a turn. */
const SLICE_MS = 4;

/**
 * `body` as JSON with `body[field]` written as `raw`: the JSON that value was parsed from,
 * as it may be stored (JsonBody.storable from ./body.ts), text or UTF-8 bytes; `field`
 * comes last. When `raw` is small, or undefined (the value must be serialized again),
 * `body` is serialized as usual.
 */
export function jsonResponseWithRawField(
  body: Readonly<Record<string, unknown>>,
  field: string,
  raw: string | Uint8Array | undefined,
  status: number,
): Response {
  if (raw === undefined || raw.length < LARGE_BODY_BYTES) return jsonResponse(body, status);
  const { [field]: _, ...rest } = body;
  const head = JSON.stringify({ ...rest, [field]: null });
  const encoder = new TextEncoder();
  const bytes = typeof raw === "string" ? encoder.encode(raw) : raw;
  const pieces: (Uint8Array | (() => Uint8Array))[] = [
    encoder.encode(head.slice(0, -"null}".length)),
  ];
  // Copies: a slice of shared memory cannot be handed to the connection as it is.
  for (let from = 0; from < bytes.length; from += SLICE_BYTES) {
    pieces.push(() => bytes.slice(from, from + SLICE_BYTES));
  }
  pieces.push(encoder.encode("}"));
  let next = 0;
  const pause = pauseEvery(SLICE_MS);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await pause();
      const piece = pieces[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === "function" ? piece() : piece);
    },
  });
  return new Response(stream, { status, headers: { "content-type": "application/json" } });
}
