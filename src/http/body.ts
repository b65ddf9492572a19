/**
 * Reads a request body as raw bytes, refusing more than the limit while it streams:
 * signatures are computed over the exact bytes, and a chunked body without a
 * Content-Length must not be buffered whole before it is found too large.
 */
import { isStorableText, UNSTORABLE_MESSAGE, unstorableJson } from "../lib/storable.ts";
import { ApiError, badRequest, unprocessable } from "./errors.ts";

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
    if (Number.isFinite(declared)) return new Uint8Array(await request.arrayBuffer());
    return await readCapped(request.body, limit);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badRequest("the request body could not be read to the end (truncated?)");
  }
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

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a JSON body; invalid UTF-8 and malformed JSON are the client's error (400), JSON
 * that cannot be stored (a NUL, a lone surrogate, absurd nesting) a 422.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  return decodeJsonBody(bytes).value;
}

/** A JSON body, parsed, with the text it was parsed from. */
export interface JsonBody {
  readonly value: unknown;
  readonly text: string;
}

/** parseJsonBody, keeping the text as well. */
export function decodeJsonBody(bytes: Uint8Array): JsonBody {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest("the request body is not valid UTF-8");
  }
  if (text.trim() === "") throw badRequest("the request body is empty; expected JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const problem = unstorableJson(value, text);
  if (problem !== undefined) throw unstorableBody(problem);
  return { value, text };
}

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
