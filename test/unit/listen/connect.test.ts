import { describe, expect, test } from "bun:test";
import {
  describeFetchError,
  judgeRefusal,
  type Refusal,
  type StreamAnswer,
  streamUrl,
} from "../../../src/listen/connect.ts";

describe("streamUrl", () => {
  test.each<[string, string, { source?: string; type?: string }, string]>([
    ["at the root", "https://hooks.example.com/", {}, "https://hooks.example.com/events/stream"],
    [
      "under a path prefix",
      "https://example.com/hookyard/",
      {},
      "https://example.com/hookyard/events/stream",
    ],
    [
      "under a prefix without its slash",
      "https://example.com/hookyard",
      {},
      "https://example.com/hookyard/events/stream",
    ],
    [
      "with a port, query and fragment dropped",
      "http://127.0.0.1:8000/?x=1#top",
      {},
      "http://127.0.0.1:8000/events/stream",
    ],
    [
      "with the filters, encoded",
      "https://hooks.example.com/",
      { source: "stripe-live", type: "invoice.*" },
      "https://hooks.example.com/events/stream?source=stripe-live&type=invoice.*",
    ],
    [
      "with a type that needs escaping",
      "http://h/",
      { type: "a&b=c" },
      "http://h/events/stream?type=a%26b%3Dc",
    ],
  ])("%s", (_name, from, filters, expected) => {
    expect(streamUrl({ from, source: filters.source, type: filters.type })).toBe(expected);
  });
});

describe("judgeRefusal", () => {
  const url = "https://hooks.example.com/events/stream";
  const request = { url, token: "T", openedBefore: false };
  const refusal = (status: number, body = "", overrides: Partial<Refusal> = {}): Refusal => ({
    status,
    contentType: "application/json",
    body,
    retryAfter: null,
    ...overrides,
  });
  const json = (error: string, details: unknown[] = []) => JSON.stringify({ error, details });

  test.each<[string, Refusal, StreamAnswer]>([
    [
      "401 with a token: the token was refused",
      refusal(401, json("missing or wrong admin token")),
      {
        kind: "stop",
        reason: `${url} answered 401: the token was refused: check --token (or HOOKYARD_TOKEN) against its ADMIN_TOKEN`,
      },
    ],
    [
      "403 likewise",
      refusal(403),
      {
        kind: "stop",
        reason: `${url} answered 403: the token was refused: check --token (or HOOKYARD_TOKEN) against its ADMIN_TOKEN`,
      },
    ],
    [
      "404 at the first connection: not a hookyard",
      refusal(404, "<html>Not Found</html>", { contentType: "text/html" }),
      {
        kind: "stop",
        reason: `${url} answered 404: not a hookyard (or one without GET /events/stream): check --from`,
      },
    ],
    [
      "422: the filter the server refused, named as the option",
      refusal(
        422,
        json("invalid query", [
          { field: "source", message: 'expected one of github, entity, got "stripe"' },
        ]),
      ),
      {
        kind: "stop",
        reason: `${url} answered 422: --source: expected one of github, entity, got "stripe"`,
      },
    ],
    [
      "200 that is not an event stream: not a hookyard",
      refusal(200, "<html>", { contentType: "text/html" }),
      {
        kind: "stop",
        reason: `${url} answered 200 with text/html, not an event stream: check --from`,
      },
    ],
    [
      "another client error stops with the server's reason",
      refusal(421, json("this hookyard does not answer to the host name")),
      {
        kind: "stop",
        reason: `${url} answered 421: this hookyard does not answer to the host name`,
      },
    ],
    [
      "503 (too many streams) is tried again after its Retry-After",
      refusal(503, json("too many live streams on this instance; try again shortly"), {
        retryAfter: "5",
      }),
      {
        kind: "retry",
        reason: `${url} answered 503: too many live streams on this instance; try again shortly`,
        retryAfterMs: 5_000,
      },
    ],
    [
      "a proxy's 502 is tried again, its page cut short",
      refusal(502, `<html>\n  <body>Bad Gateway${" ".repeat(500)}x</body></html>`, {
        contentType: "text/html",
      }),
      { kind: "retry", reason: `${url} answered 502: <html> <body>Bad Gateway x</body></html>` },
    ],
    [
      "429 is tried again",
      refusal(429),
      { kind: "retry", reason: `${url} answered 429: no explanation given` },
    ],
  ])("%s", (_name, answer, expected) => {
    expect(judgeRefusal(request, answer)).toEqual(expected);
  });

  test("401 without a token says to give one", () => {
    const answer = judgeRefusal({ ...request, token: undefined }, refusal(401));
    expect(answer).toEqual({
      kind: "stop",
      reason: `${url} answered 401: it needs a token: pass --token or set HOOKYARD_TOKEN to its ADMIN_TOKEN`,
    });
  });

  test("404 once a stream was open here is an outage (a proxy before hookyard restarts): tried again", () => {
    expect(judgeRefusal({ ...request, openedBefore: true }, refusal(404)).kind).toBe("retry");
  });

  test("a Retry-After past a minute is cut to a minute", () => {
    const answer = judgeRefusal(request, refusal(503, "", { retryAfter: "3600" }));
    expect(answer).toMatchObject({ kind: "retry", retryAfterMs: 60_000 });
  });
});

describe("describeFetchError", () => {
  test("names refused connections and other network errors in a few words", async () => {
    const refused = await fetch("http://127.0.0.1:1/").catch((error: unknown) => error);
    expect(describeFetchError(refused)).toBe("connection refused");
    expect(describeFetchError(Object.assign(new Error("x"), { code: "ENOTFOUND" }))).toBe(
      "host not found",
    );
    expect(describeFetchError(new Error("something else"))).toBe("something else");
    expect(describeFetchError(undefined)).toBe("undefined");
  });
});
