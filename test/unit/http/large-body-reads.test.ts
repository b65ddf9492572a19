import { describe, expect, test } from "bun:test";
import { LARGE_BODY_BYTES, readBody } from "../../../src/http/body.ts";

/** A request declaring `size` bytes whose body arrives only when `send()` is called. */
function pendingRequest(size: number) {
  let send!: () => void;
  const arrived = new Promise<void>((resolve) => {
    send = resolve;
  });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await arrived;
      controller.enqueue(new Uint8Array(size).fill(0x20));
      controller.close();
    },
  });
  const request = new Request("http://hookyard.test/webhooks/event", {
    method: "POST",
    headers: { "content-length": String(size) },
    body,
    // @ts-expect-error Bun and undici need it for a stream body
    duplex: "half",
  });
  return { request, send };
}

describe("readBody with large declared bodies", () => {
  test("buffers allocated ahead of the bytes are bounded: past four bodies' worth, reads grow with what arrives", async () => {
    const limit = LARGE_BODY_BYTES;
    const requests = Array.from({ length: 6 }, () => pendingRequest(limit));
    const reads = requests.map(({ request }) => readBody(request, limit));
    for (const { send } of requests) send();
    const bodies = await Promise.all(reads);
    const shared = bodies.map((bytes) => bytes.buffer instanceof SharedArrayBuffer);
    expect(shared).toEqual([true, true, true, true, false, false]);
    expect(bodies.every((bytes) => bytes.byteLength === limit)).toBe(true);

    // Once those are read, the bound is free again.
    const again = pendingRequest(limit);
    const read = readBody(again.request, limit);
    again.send();
    expect((await read).buffer instanceof SharedArrayBuffer).toBe(true);
  });
});
