import { describe, expect, test } from "bun:test";
import { decodeBase64Strict } from "../../../../src/ingest/pubsub/base64.ts";

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString("latin1");

describe("decodeBase64Strict", () => {
  test.each([
    ["standard, padded", "aGk/Pz4+", "hi??>>"],
    ["standard, one pad", "aGk/Pz4=", "hi??>"],
    ["standard, two pads", "aGk/Pw==", "hi??"],
    ["standard, unpadded", "aGk/Pw", "hi??"],
    ["URL-safe", "aGk_Pz4-", "hi??>>"],
    ["URL-safe, padded", "aGk_Pw==", "hi??"],
    ["empty", "", ""],
  ])("reads %s", (_name, input, expected) => {
    expect(text(decodeBase64Strict(input))).toBe(expected);
  });

  test.each([
    ["characters outside both alphabets", "aGk*Pz4+"],
    ["spaces inside", "aGk/ Pz4+"],
    ["the two alphabets mixed", "aGk/Pz4-"],
    ["padding in the middle", "aG=k/Pz4+"],
    ["three pads", "aGk/P==="],
    ["incomplete padding", "aGk/Pw="],
    ["a lone trailing character", "aGk/P"],
    ["plain words", "not base64 at all!"],
  ])("refuses %s (where Buffer.from would decode something)", (_name, input) => {
    expect(decodeBase64Strict(input)).toBeUndefined();
  });
});
