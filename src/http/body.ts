/**
 * Reads a request body as raw bytes, refusing more than the limit while it streams:
 * signatures are computed over the exact bytes, and a chunked body without a
 * Content-Length must not be buffered whole before it is found too large.
 */
import { pauseEvery, rebuildJson } from "../lib/json-slices.ts";
import { isStorableText, reusableJsonText, UNSTORABLE_MESSAGE } from "../lib/storable.ts";
import { ApiError, badRequest, unprocessable } from "./errors.ts";
import { decodeJson, type JsonDecoding } from "./json-decode.ts";
import { jsonThread } from "./json-thread.ts";

/**
 * From this size on, a body is read into memory prepared on another thread and decoded
 * there (./json-thread.ts): below it, the serving thread does it all in well under a
 * millisecond per few KB, cheaper than a trip to another thread.
 */
export const LARGE_BODY_BYTES = 256 * 1024;

/** How long a large body's value is rebuilt here before other requests get a turn. */
const REBUILD_SLICE_MS = 4;

/** Answered before the body is read: closing the connection stops the client's upload. */
export const tooLarge = (limit: number) =>
  new ApiError(413, `request body is larger than MAX_BODY_SIZE (${limit} bytes)`, [], {
    connection: "close",
  });

export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  try {
    // With a declared length within the limit, one native read is much cheaper than
    // pulling chunks through a reader; without one, count while streaming.
    if (declared >= LARGE_BODY_BYTES && reserveFilling(declared, limit)) {
      try {
        return await readLarge(request.body, declared);
      } finally {
        filling -= declared;
      }
    }
    if (Number.isFinite(declared)) return new Uint8Array(await request.arrayBuffer());
    return await readCapped(request.body, limit);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badRequest("the request body could not be read to the end (truncated?)");
  }
}

/**
 * Bytes of large-body buffers allocated but not yet filled. readLarge allocates a body's
 * whole declared length before it arrives, so without a bound a few hundred connections
 * that declare 25 MB and send nothing would take gigabytes, where Bun's own buffering
 * costs only what was sent. Past the bound, bodies are read that way.
 */
let filling = 0;
const FILLING_BOUND_BODIES = 4;

function reserveFilling(declared: number, limit: number): boolean {
  if (filling + declared > FILLING_BOUND_BODIES * Math.max(limit, LARGE_BODY_BYTES)) return false;
  filling += declared;
  return true;
}

/**
 * A large body with a declared length, chunk by chunk into a buffer the JSON thread
 * prepared: Bun's own buffering grows its buffer as the body comes in, and the first
 * touch of each fresh page stalled this thread for 100-400 ms per 24 MB body. Shared, the
 * buffer also reaches the JSON thread without a copy.
 */
async function readLarge(body: ReadableStream<Uint8Array>, declared: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await jsonThread().sharedBuffer(declared));
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.byteLength > declared) {
      throw badRequest("the request body is longer than its Content-Length");
    }
    bytes.set(chunk, size);
    size += chunk.byteLength;
  }
  if (size < declared)
    throw badRequest("the request body could not be read to the end (truncated?)");
  return bytes;
}

async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
}

/**
 * Parses a JSON body; invalid UTF-8 and malformed JSON are the client's error (400), JSON
 * that cannot be stored (a NUL, a lone surrogate, absurd nesting) a 422. On this thread:
 * for bodies that may be large, decodeJsonBody.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  return decodedOrThrow(decodeJson(bytes)).value;
}

/** parseJsonBody, large bodies decoded on the JSON thread. */
export async function parseJsonBodyAsync(bytes: Uint8Array): Promise<unknown> {
  return (await decodeJsonBody(bytes)).value;
}

/** A JSON body, parsed, with the text it was parsed from. */
export interface JsonBody {
  readonly value: unknown;
  /**
   * The text. A large body's is decoded when first asked for, on this thread, a stall of
   * its own: store and echo `storable` instead.
   */
  readonly text: string;
  /**
   * The JSON as it may be stored as received (reusableJsonText), or undefined when the
   * value must be serialized again. A large body's is its bytes, UTF-8, which pass to
   * another thread without a copy.
   */
  readonly storable: string | Uint8Array | undefined;
}

/**
 * parseJsonBody, keeping the text as well. A large body is decoded and checked on the
 * JSON thread, and its value rebuilt here a few milliseconds at a time
 * (../lib/json-slices.ts), so that other requests are served meanwhile.
 */
export async function decodeJsonBody(bytes: Uint8Array): Promise<JsonBody> {
  if (bytes.byteLength < LARGE_BODY_BYTES) {
    const { value, text } = decodedOrThrow(decodeJson(bytes));
    return { value, text, storable: reusableJsonText(text) };
  }
  const decoded = await jsonThread().decode(bytes);
  if (!decoded.ok) throw refusal(decoded);
  const value = await rebuildJson(bytes, decoded.plan, pauseEvery(REBUILD_SLICE_MS));
  let text: string | undefined;
  return {
    value,
    get text() {
      text ??= new TextDecoder().decode(bytes);
      return text;
    },
    storable: decoded.reusable ? bytes : undefined,
  };
}

function decodedOrThrow(decoded: JsonDecoding): Extract<JsonDecoding, { ok: true }> {
  if (!decoded.ok) throw refusal(decoded);
  return decoded;
}

const refusal = (decoded: Extract<JsonDecoding, { ok: false }>) =>
  decoded.refusal === "unstorable" ? unstorableBody(decoded.message) : badRequest(decoded.message);

/** Form fields (`a=1&b=2`) as an object; a NUL (`%00`) in a name or value is a 422. */
export function parseFormBody(text: string): Record<string, string> {
  const fields = Object.fromEntries(new URLSearchParams(text));
  if (!Object.entries(fields).every(([name, value]) => isStorableText(name + value))) {
    throw unstorableBody();
  }
  return fields;
}

export const unstorableBody = (problem = UNSTORABLE_MESSAGE) =>
  unprocessable(`the request body ${problem}`, [{ field: "body", message: problem }]);

/**
 * The raw body of a route listed in the pipeline's `rawBodyRoutes`: the bytes the
 * pipeline read, or (when the request had no content type, so nothing was parsed)
 * read here with the same limit.
 */
export async function rawBodyOf(
  body: unknown,
  request: Request,
  limit: number,
): Promise<Uint8Array> {
  return body instanceof Uint8Array ? body : readBody(request, limit);
}
