/**
 * A JSON body's bytes → its text and value, or why it is refused: the checks every JSON
 * body passes, on whichever thread reads it (./body.ts on the serving thread for small
 * bodies, ./json-worker.ts for large ones). Pure; no error is thrown, so that a thread
 * can pass the outcome on.
 */
import { unstorableJson } from "../lib/storable.ts";

export type JsonDecoding =
  | { readonly ok: true; readonly value: unknown; readonly text: string }
  /** `bad-request`: not UTF-8, empty or not JSON (400); `unstorable`: a 422. */
  | {
      readonly ok: false;
      readonly refusal: "bad-request" | "unstorable";
      readonly message: string;
    };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeJson(bytes: Uint8Array): JsonDecoding {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return badRequest("the request body is not valid UTF-8");
  }
  if (text.trim() === "") return badRequest("the request body is empty; expected JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const problem = unstorableJson(value, text);
  if (problem !== undefined) return { ok: false, refusal: "unstorable", message: problem };
  return { ok: true, value, text };
}

const badRequest = (message: string): JsonDecoding => ({
  ok: false,
  refusal: "bad-request",
  message,
});
