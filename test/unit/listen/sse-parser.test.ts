import { describe, expect, test } from "bun:test";
import { type SseMessage, SseParser } from "../../../src/listen/sse-parser.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every message the chunks complete, fed one after another to one parser. */
function parse(chunks: readonly (string | Uint8Array)[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

/** `text` split at every position into two chunks, and into single characters. */
function splits(text: string): string[][] {
  const two = Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
  return [...two, [...text]];
}

const event = (data: string, lastEventId = "", type = "event"): SseMessage => ({
  type,
  data,
  lastEventId,
});

describe("SseParser", () => {
  test.each<[string, string, SseMessage[]]>([
    [
      "a message as hookyard writes it",
      'id: 0193-a\nevent: event\ndata: {"id":"0193-a"}\n\n',
      [event('{"id":"0193-a"}', "0193-a")],
    ],
    ["CRLF line ends", "id: 1\r\nevent: event\r\ndata: x\r\n\r\n", [event("x", "1")]],
    ["CR line ends", "id: 1\revent: event\rdata: x\r\r", [event("x", "1")]],
    [
      "data lines join with a line feed",
      "data: a\ndata:  b\ndata\n\n",
      [event("a\n b\n", "", "message")],
    ],
    ["no space after the colon", "event:event\ndata:x\n\n", [event("x")]],
    ["an empty data line is a message with empty data", "data:\n\n", [event("", "", "message")]],
    [
      "comments are skipped: the opening, keep-alives",
      "retry: 2000\n: hookyard live stream\n\n: keep-alive\n\nevent: event\ndata: x\n\n",
      [event("x")],
    ],
    [
      "a message without data is none",
      "id: 7\nevent: event\n\nevent: delivery\ndata: d\n\n",
      [event("d", "7", "delivery")],
    ],
    [
      "the last id carries over to messages without one",
      "id: 1\ndata: a\n\ndata: b\n\n",
      [event("a", "1", "message"), event("b", "1", "message")],
    ],
    [
      "an id holding NUL is ignored",
      "id: 1\ndata: a\n\nid: 2\u0000\ndata: b\n\n",
      [event("a", "1", "message"), event("b", "1", "message")],
    ],
    ["unknown fields are ignored", "retry: 5\nfoo: bar\nevent: event\ndata: x\n\n", [event("x")]],
    ["a message not yet ended by a blank line waits", "event: event\ndata: x\n", []],
    ["a leading byte order mark is dropped", "\uFEFFevent: event\ndata: x\n\n", [event("x")]],
  ])("%s", (_name, text, expected) => {
    expect(parse([bytes(text)])).toEqual(expected);
  });

  test("gives the same messages however the stream is split, with any line ends", () => {
    const lines = [
      ": keep-alive",
      "",
      "id: 1",
      "event: event",
      "data: one",
      "",
      "event: delivery",
      "data: an outcome",
      "",
      "id: 2",
      "event: event",
      "data: line",
      "data: break",
      "",
      "",
    ];
    const expected = [
      event("one", "1"),
      event("an outcome", "1", "delivery"),
      event("line\nbreak", "2"),
    ];
    for (const eol of ["\n", "\r\n", "\r"]) {
      for (const chunks of splits(lines.join(eol))) expect(parse(chunks)).toEqual(expected);
    }
  });

  test("a CRLF split between two chunks ends one line, not two", () => {
    // Had the LF counted as a second, blank line, "data: x" would have been dispatched alone.
    expect(parse(["event: event\r", "\ndata: x\r", "\n\r", "\n"])).toEqual([event("x")]);
  });

  test("a character split across chunks is decoded whole", () => {
    const text = bytes('event: event\ndata: {"name":"Zoë ✓ 🐙"}\n\n');
    const at = text.indexOf(0xf0) + 2; // inside the four bytes of 🐙
    expect(parse([text.slice(0, at), text.slice(at)])).toEqual([event('{"name":"Zoë ✓ 🐙"}')]);
  });

  test("a line spread over many chunks is one line", () => {
    const data = "x".repeat(100_000);
    const text = `event: event\ndata: ${data}\n\n`;
    const chunks = text.match(/[\s\S]{1,1000}/g) ?? [];
    expect(parse(chunks)).toEqual([event(data)]);
  });
});
