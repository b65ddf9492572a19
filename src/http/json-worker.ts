/**
 * The thread that reads large JSON bodies (./json-thread.ts starts it): it checks a body
 * as ./json-decode.ts does and answers with a plan to parse its bytes in slices
 * (../lib/json-slices.ts) and whether its text may be stored as is (reusableJsonText),
 * and it hands out buffers for bodies still arriving, their
 * memory already touched here: on a fresh 24 MB buffer the first write to each page costs
 * ~70 ms, which the serving thread would otherwise pay in one go.
 */
import { planJson } from "../lib/json-slices.ts";
import { reusableJsonText } from "../lib/storable.ts";
import { decodeJson } from "./json-decode.ts";
import type { JsonThreadAnswer, JsonThreadRequest } from "./json-thread.ts";

declare const self: Worker;

self.onmessage = (message: MessageEvent<JsonThreadRequest>) => {
  const request = message.data;
  self.postMessage(answer(request));
};

function answer(request: JsonThreadRequest): JsonThreadAnswer {
  try {
    if (request.op === "buffer") {
      const buffer = new SharedArrayBuffer(request.size);
      new Uint8Array(buffer).fill(0);
      return { id: request.id, ok: true, buffer };
    }
    const decoded = decodeJson(request.bytes);
    if (!decoded.ok) return { id: request.id, ok: true, decoded };
    return {
      id: request.id,
      ok: true,
      decoded: {
        ok: true,
        plan: planJson(request.bytes),
        reusable: reusableJsonText(decoded.text) !== undefined,
      },
    };
  } catch (error) {
    return { id: request.id, ok: false, error: String(error) };
  }
}
