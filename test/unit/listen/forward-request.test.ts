import { describe, expect, test } from "bun:test";
import {
  cleanHeaders,
  forwardRequest,
  parseStreamedEvent,
  type StreamedEvent,
} from "../../../src/listen/forward-request.ts";

const streamed = (overrides: Partial<StreamedEvent> = {}): StreamedEvent => ({
  id: "0193b0c4-8f3a-7000-8000-000000000001",
  type: "stripe-live.invoice.paid",
  payload: { id: "evt_1", object: "event" },
  headers: {},
  body: null,
  ...overrides,
});

describe("cleanHeaders", () => {
  test.each<[string, Record<string, string>, Record<string, string>]>([
    [
      "keeps the sender's own headers, lower-cased",
      {
        "Content-Type": "application/json",
        "Stripe-Signature": "t=1,v1=ab",
        "user-agent": "Stripe/1.0",
      },
      {
        "content-type": "application/json",
        "stripe-signature": "t=1,v1=ab",
        "user-agent": "Stripe/1.0",
      },
    ],
    [
      "drops what belongs to one connection or one encoding of the body",
      {
        host: "hooks.example.com",
        "content-length": "42",
        "transfer-encoding": "chunked",
        connection: "keep-alive",
        "keep-alive": "timeout=5",
        "accept-encoding": "gzip, br",
        "content-encoding": "gzip",
        te: "trailers",
        trailer: "expires",
        upgrade: "h2c",
        expect: "100-continue",
        "proxy-authorization": "Basic x",
        "proxy-connection": "keep-alive",
        "x-github-event": "push",
      },
      { "x-github-event": "push" },
    ],
    [
      "drops headers the Connection header names as hop-by-hop",
      { Connection: "close, X-Hop", "x-hop": "1", "x-kept": "2" },
      { "x-kept": "2" },
    ],
    [
      "drops a forged event id, which listen sets itself",
      { "X-Hookyard-Event-Id": "not-this-one", accept: "*/*" },
      { accept: "*/*" },
    ],
    ["nothing in, nothing out", {}, {}],
  ])("%s", (_name, headers, expected) => {
    expect(cleanHeaders(headers)).toEqual(expected);
  });
});

describe("forwardRequest", () => {
  test("sends the raw body as received, with the sender's content type", () => {
    const body = "id=evt_1&amount=10 "; // not JSON, trailing space and all
    const request = forwardRequest(
      streamed({
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "19" },
      }),
    );
    expect(request).toEqual({
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-hookyard-event-id": "0193b0c4-8f3a-7000-8000-000000000001",
      },
    });
  });

  test("an event of a built-in route (no raw body) sends its payload as JSON", () => {
    const request = forwardRequest(
      streamed({ headers: { "user-agent": "billing/2", "content-type": "text/plain" } }),
    );
    expect(request.body).toBe('{"id":"evt_1","object":"event"}');
    expect(request.headers).toEqual({
      "user-agent": "billing/2",
      "content-type": "application/json",
      "x-hookyard-event-id": "0193b0c4-8f3a-7000-8000-000000000001",
    });
  });

  test("an event without a payload sends null", () => {
    expect(forwardRequest(streamed({ payload: undefined })).body).toBe("null");
  });
});

describe("parseStreamedEvent", () => {
  test("reads the event as GET /events/:id shows it", () => {
    const data = JSON.stringify({
      id: "e1",
      source: "stripe-live",
      type: "stripe-live.invoice.paid",
      payload: { a: 1 },
      headers: { "stripe-signature": "t=1", "x-count": 3 },
      body: '{"a":1}',
    });
    expect(parseStreamedEvent(data)).toEqual({
      id: "e1",
      type: "stripe-live.invoice.paid",
      payload: { a: 1 },
      // A value that is not a string is no header.
      headers: { "stripe-signature": "t=1" },
      body: '{"a":1}',
    });
  });

  test("an event from a hookyard that sends no headers or body is sent as its payload", () => {
    expect(parseStreamedEvent('{"id":"e1","type":"t","payload":[1]}')).toEqual({
      id: "e1",
      type: "t",
      payload: [1],
      headers: {},
      body: null,
    });
  });

  test.each([
    ["not JSON", "{"],
    ["not an object", "[1]"],
    ["null", "null"],
    ["no id", '{"type":"t"}'],
    ["no type", '{"id":"e"}'],
    ["an id that is not text", '{"id":1,"type":"t"}'],
  ])("%s is no event", (_name, data) => {
    expect(parseStreamedEvent(data)).toBeUndefined();
  });
});
