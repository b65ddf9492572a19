/**
 * What the fuzz tests throw at hookyard: hostile strings and JSON values, mutations of
 * real payloads, and the checks every answer must pass. Shared by the test files in
 * test/fuzz; each file starts its own app per dialect.
 */
import { expect } from "bun:test";
import fc from "fast-check";
import type { TestApp } from "../support/app.ts";

/**
 * Runs per property. Each run is one to four HTTP requests against the real app, so this
 * bounds the folder's run time (about 25 s on two cores, both dialects, 12 s of it the
 * slowloris wait); raise it with FUZZ_RUNS for a longer hunt. fast-check prints the seed
 * and path of a failing run; FUZZ_SEED and FUZZ_PATH replay it.
 */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * The timeout of a test that runs a property RUNS times: 3-5 s at the default on a 2-core
 * machine, near Bun's 5 s default, which applies wherever test/setup.ts's longer one does
 * not reach (bunfig.toml); and growing with FUZZ_RUNS, or a long hunt ends in a timeout
 * that fast-check reports as a failing run.
 */
export const PROPERTY_TIMEOUT_MS = 30_000 * Math.max(1, RUNS / 150);

/** Replaying one failure (FUZZ_PATH): a single run, so no thresholds over many. */
export const REPLAYING = process.env.FUZZ_PATH !== undefined;

/** fast-check's settings for each property: RUNS runs, or the replay of one failure. */
export const FUZZ_SETTINGS = {
  numRuns: RUNS,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
};

/** Strings that have broken web services before: each is tried as an id, a field, a value. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "'; drop table changes; --",
  '" or 1=1 --',
  "1; select pg_sleep(10)",
  "%",
  "_",
  "\\",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "..",
  ".",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}#{7*7}<%= 7*7 %>",
  "\r\nX-Injected: 1",
  "\u202e\u0301\ud83d\ude00\ufeff",
  "\ud800",
  "0000-01-01T00:00:00Z",
  "-1",
  "9007199254740993",
  "1e309",
  "NaN",
  "null",
  "true",
  "[]",
  "{}",
  "x".repeat(300),
  "é".repeat(5000),
];

export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    // Control characters, NUL above all: SQLite stores them, PostgreSQL's text does not.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\u0000", "\u0001\u001f\u007f"))
        .map(([text, control]) => text + control),
    },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...NASTY_STRINGS))
        .map(([a, b]) => a + b),
    },
  );

/** A JSON value nested `depth` levels deep in arrays or objects. */
export function deeplyNested(depth: number, kind: "array" | "object"): unknown {
  let value: unknown = "bottom";
  for (let level = 0; level < depth; level++) value = kind === "array" ? [value] : { a: value };
  return value;
}

/** A value of the wrong kind for almost any field. */
export const nastyValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: nastyString() },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        1e308,
        [],
        {},
        [null],
        { "": null },
        JSON.parse('{"__proto__": {"polluted": true}}'),
        { constructor: { prototype: { polluted: true } } },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(10, 512, 513, 5000, 20_000).map((d) => deeplyNested(d, "array")),
    },
    { weight: 1, arbitrary: fc.constantFrom(10, 513, 1000).map((d) => deeplyNested(d, "object")) },
    { weight: 1, arbitrary: fc.constant("A".repeat(1024 * 1024)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

/** Every path to a value in a JSON document, as key lists, the root excluded. */
export function pathsOf(value: unknown, prefix: readonly (string | number)[] = []) {
  const paths: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      paths.push([...prefix, index], ...pathsOf(item, [...prefix, index]));
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      paths.push([...prefix, key], ...pathsOf(item, [...prefix, key]));
    }
  }
  return paths;
}

/** A copy of `document` with the value at `path` replaced, or deleted when `replacement` is absent. */
export function mutateAt(
  document: unknown,
  path: readonly (string | number)[],
  replacement: { value: unknown } | "delete",
): unknown {
  const copy = structuredClone(document);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === "delete") delete parent[last];
  else parent[last] = replacement.value;
  return copy;
}

/** A mutation of one field of `document` (chosen from all its fields), or of its root. */
export const mutationOf = (document: unknown): fc.Arbitrary<unknown> => {
  const paths = pathsOf(document);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fc.option(nastyValue(), { nil: undefined }))
        .map(([path, value]) =>
          mutateAt(document, path, value === undefined ? "delete" : { value }),
        ),
    },
    { weight: 1, arbitrary: nastyValue() },
  );
};

/** Bytes that are not UTF-8: a lone continuation byte, an overlong NUL, a truncated sequence. */
export const INVALID_UTF8 = [
  new Uint8Array([0x80]),
  new Uint8Array([0xc0, 0x80]),
  new Uint8Array([0xe2, 0x82]),
  new Uint8Array([0xff, 0xfe]),
  new Uint8Array([0xed, 0xa0, 0x80]),
];

/** `text` as UTF-8 with invalid bytes spliced in at `at` (a fraction of its length). */
export function withInvalidUtf8(
  text: string,
  bytes: Uint8Array,
  at: number,
): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const cut = Math.floor(encoded.length * at);
  return Buffer.concat([encoded.subarray(0, cut), bytes, encoded.subarray(cut)]);
}

/** What a request was, for messages that say which one failed. */
export interface Sent {
  readonly method: string;
  readonly path: string;
  readonly note?: string;
}

const describeSent = (sent: Sent) =>
  `${sent.method} ${sent.path.slice(0, 200)}${sent.note ? ` (${sent.note})` : ""}`;

/**
 * Reads the answer and fails on a 5xx, naming the request; returns the text and the context
 * (request, status, start of the body) the caller's further checks report with.
 */
async function expectNoServerError(response: Response, sent: Sent) {
  const text = await response.text();
  const context = {
    request: describeSent(sent),
    status: response.status,
    body: text.slice(0, 300),
  };
  expect({ ...context, serverError: response.status >= 500 }).toEqual({
    ...context,
    serverError: false,
  });
  return { text, context };
}

/**
 * The checks every answer of the JSON surface must pass: never a 5xx, and every error a
 * JSON `{"error": string, "details"?: [...]}`. Returns the parsed body (undefined when
 * the answer has none).
 */
export async function expectSoundAnswer(response: Response, sent: Sent): Promise<unknown> {
  const { text, context } = await expectNoServerError(response, sent);
  if (response.status < 400) return text === "" ? undefined : safeJson(text);
  // Bun's HTTP server answers a request line and headers beyond its limit (16 KiB) with a
  // bare 431 before any route sees them; nothing in the app can shape that answer.
  if (response.status === 431 && text === "") return undefined;
  expect({ ...context, contentType: response.headers.get("content-type") }).toEqual({
    ...context,
    contentType: "application/json",
  });
  const body = safeJson(text) as { error?: unknown; details?: unknown } | undefined;
  const shape = {
    errorIsText: typeof body?.error === "string" && body.error !== "",
    detailsIsList: body?.details === undefined || Array.isArray(body.details),
  };
  expect({ ...context, ...shape }).toEqual({ ...context, errorIsText: true, detailsIsList: true });
  return body;
}

/** A dashboard answer: never a 5xx, and HTML always with the dashboard's CSP. */
export async function expectSoundPage(response: Response, sent: Sent): Promise<string> {
  const { text, context } = await expectNoServerError(response, sent);
  if ((response.headers.get("content-type") ?? "").startsWith("text/html")) {
    expect({ ...context, csp: response.headers.get("content-security-policy") ?? "none" }).toEqual({
      ...context,
      csp: expect.stringContaining("default-src 'none'"),
    });
  }
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The process still answers its liveness and readiness probes. */
export async function expectHealthy(app: TestApp): Promise<void> {
  const health = await app.request("/healthz");
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });
  expect((await app.request("/readyz")).status).toBe(200);
}

/** The routes of the OpenAPI document, as Elysia-style paths (`/events/:id`). */
export async function documentedRoutes(app: TestApp): Promise<{ method: string; path: string }[]> {
  const document = (await (await app.request("/openapi/json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{([^}]+)\}/g, ":$1"),
    })),
  );
}
