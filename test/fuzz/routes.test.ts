/**
 * Random and hostile requests at every route hookyard serves (taken from the app's own
 * router, so a new route is fuzzed without editing this file): odd methods, ids that
 * traverse paths or look like SQL, hostile query strings, headers and bodies. Whatever
 * comes in, the answer is below 500, every error of the JSON surface is JSON, every
 * dashboard page carries its CSP, and the process stays healthy.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createApp } from "../../src/app.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { encodeCursor } from "../../src/store/cursor.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { openSession, type Session } from "../support/dashboard-session.ts";
import { dialects } from "../support/databases.ts";
import {
  documentedRoutes,
  expectHealthy,
  expectSoundAnswer,
  expectSoundPage,
  FUZZ_SETTINGS,
  INVALID_UTF8,
  mutationOf,
  NASTY_STRINGS,
  nastyString,
  nastyValue,
  PROPERTY_TIMEOUT_MS,
  type Sent,
  withInvalidUtf8,
} from "./hostile.ts";

interface Route {
  readonly method: string;
  readonly path: string;
}

/** Every route the app registers, read from a second instance of it (never listened on). */
function allRoutes(app: TestApp): Route[] {
  return createApp({ ...app.ctx, metrics: createMetrics() }).routes.map(({ method, path }) => ({
    method,
    path,
  }));
}

/** Percent-encodes UTF-8 bytes; unlike encodeURIComponent it takes lone surrogates too. */
const percentEncode = (text: string) =>
  [...Buffer.from(text, "utf8")]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");

/** A path segment: usually encoded, sometimes raw (traversal as a client would type it). */
const segment = () =>
  fc.oneof(
    { weight: 4, arbitrary: nastyString().map(percentEncode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "..",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "%00",
        "a%2Fb",
        "%ff",
        "%ED%A0%80",
        "%C0%80",
        "%E2%82",
        "%",
        "%zz",
      ),
    },
  );

const fill = (path: string, values: readonly string[]) => {
  let index = 0;
  return path.replace(/:[A-Za-z_]+|\*/g, () => values[index++] || "x");
};

/** Cursors that decode, but to positions no page ends at. */
const HOSTILE_CURSORS = [
  encodeCursor({ at: 8.64e15 + 1, id: "x" }),
  encodeCursor({ at: -8.64e15 - 1, id: "x" }),
  encodeCursor({ at: 0, id: "\u0000" }),
  encodeCursor({ at: 0, id: "'; drop table changes; --" }),
  encodeCursor({ id: Number.MAX_SAFE_INTEGER }),
  Buffer.from('{"at":1e400,"id":"x"}').toString("base64url"),
  "%00",
];

const QUERY_NAMES = [
  "limit",
  "cursor",
  "since",
  "until",
  "q",
  "type",
  "source",
  "entity",
  "entity_id",
  "status",
  "endpoint_id",
  "event_id",
  "project",
  "token",
  "__proto__",
];

const query = () =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...QUERY_NAMES),
        fc.oneof(nastyString(), fc.constantFrom(...HOSTILE_CURSORS)),
      ),
      { maxLength: 4 },
    )
    .map((pairs) =>
      pairs.length === 0
        ? ""
        : `?${pairs.map(([name, value]) => `${name}=${percentEncode(value)}`).join("&")}`,
    );

/** Strings fetch will put in a header: bytes 0x20-0xFF and tab, no CR, LF or NUL. */
const headerValue = () =>
  fc.oneof(
    nastyString().filter((value) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value)),
    fc.constantFrom("A".repeat(8 * 1024), "Bearer ", "Basic !!!", "sha256=zz", "v1,,v1,x"),
  );

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=latin1",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "text/plain",
  "application/xml",
  "application/vnd.github+json",
  "*/*",
  ";;;",
];

const HEADER_NAMES = [
  "x-github-event",
  "x-github-delivery",
  "x-hub-signature-256",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "idempotency-key",
  "x-request-id",
  "authorization",
  "cookie",
  "origin",
  "sec-fetch-site",
  "x-forwarded-proto",
  "if-none-match",
  "accept",
];

const headers = () =>
  fc
    .record({
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
      extra: fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValue()), {
        maxLength: 4,
      }),
    })
    .map(({ contentType, extra }) => {
      const result: Record<string, string> = Object.fromEntries(extra);
      if (contentType !== undefined) result["content-type"] = contentType;
      return result;
    });

const body = (): fc.Arbitrary<
  { bytes: Uint8Array<ArrayBuffer> | string; note: string } | undefined
> =>
  fc.oneof(
    fc.constant(undefined),
    nastyValue().map((value) => ({ bytes: JSON.stringify(value) ?? "", note: "json" })),
    fc.tuple(nastyString(), nastyString()).map(([key, value]) => ({
      bytes: new URLSearchParams({ [key]: value, userid: value, url: value }).toString(),
      note: "form",
    })),
    fc
      .tuple(fc.constantFrom(...INVALID_UTF8), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([bytes, at]) => ({
        bytes: withInvalidUtf8('{"userid":"x","url":"https://example.com"}', bytes, at),
        note: "invalid UTF-8",
      })),
    fc
      .uint8Array({ maxLength: 64 })
      .map((bytes) => ({ bytes: new Uint8Array(bytes), note: "random bytes" })),
  );

/**
 * A valid body for the routes that take one (the ingestion routes have their own file),
 * so a mutation of one field gets past the first checks to the deeper ones. Dashboard
 * forms also carry the CSRF token (added in the test), or they stop at the CSRF check.
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  "POST /endpoints": {
    url: "http://127.0.0.1:9/hook",
    description: "fuzz",
    event_types: ["*", "github.*", "task.update"],
    enabled: true,
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  },
  "PATCH /endpoints/:id": { description: "d", enabled: false, event_types: ["a.b"] },
  "POST /webhook": { userid: "alice" },
  "POST /trigger/:event_type": { order: 42, lines: [{ sku: "x" }] },
  "POST /dashboard/endpoints": {
    url: "http://127.0.0.1:9/hook",
    description: "fuzz",
    event_types: "*, task.*",
  },
  "POST /dashboard/endpoints/:id/toggle": { enabled: "false" },
  "POST /dashboard/hooks": { userid: "alice" },
};

const asForm = (fields: unknown) =>
  new URLSearchParams(
    typeof fields === "object" && fields !== null
      ? Object.entries(fields).map(([key, value]) => [
          key,
          typeof value === "string" ? value : (JSON.stringify(value) ?? ""),
        ])
      : [["value", String(fields)]],
  ).toString();

/** The body for one route: its valid body mutated, when it has one, or anything at all. */
const bodyFor = (route: Route) => {
  const valid = VALID_BODIES[`${route.method} ${route.path}`];
  if (valid === undefined) return body();
  const form = route.path.startsWith("/dashboard");
  return fc.oneof(
    {
      weight: 3,
      arbitrary: mutationOf(valid).map((value) => ({
        bytes: form ? asForm(value) : (JSON.stringify(value) ?? ""),
        note: `mutated ${form ? "form" : "json"}`,
      })),
    },
    { weight: 1, arbitrary: body() },
  );
};

/** Bun's fetch sends only the methods it knows; unknown ones go over raw TCP (raw-http.test.ts). */
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

for (const dialect of dialects) {
  describe(`hostile requests at every route (${dialect})`, () => {
    let app: TestApp;
    let routes: Route[] = [];

    /** Ids of real rows, so hostile requests also reach rows that exist. */
    const realIds: string[] = [];
    let session: Session;

    beforeAll(async () => {
      app = await startTestApp(dialect, { settings: { ALLOW_PRIVATE_ENDPOINTS: "true" } });
      routes = allRoutes(app);
      const endpoint = await postJson(app, "/endpoints", VALID_BODIES["POST /endpoints"]);
      const hook = await postJson(app, "/webhook", { userid: "alice" });
      const trigger = await postJson(app, "/trigger/fuzz.seed", { a: 1 });
      const relay = await postJson(app, "/notifications", { id: "e1", type: "t", project: "p" });
      const entity = await postJson(app, "/webhooks/event", {
        action: "create",
        entity_type: "task",
        time: "2026-11-22T10:00:00Z",
        payload: { id: "task-1" },
      });
      const { event_id } = await trigger.json();
      const { deliveries } = await (await app.request(`/deliveries?event_id=${event_id}`)).json();
      realIds.push(
        (await endpoint.json()).id,
        (await hook.json()).id,
        event_id,
        deliveries[0].id,
        (await relay.json()).id,
        (await entity.json()).entity_id,
      );
      expect(realIds.every((id) => typeof id === "string")).toBe(true);
      session = await openSession(app, "/dashboard/hooks");
    });
    afterAll(() => app.stop());

    const send = async (method: string, path: string, init: RequestInit, note?: string) => {
      const sent: Sent = { method, path, ...(note ? { note } : {}) };
      const response = await app.request(path, { ...init, method, redirect: "manual" });
      // A live stream that was accepted never ends: its answer is the status and type.
      if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
        await response.body?.cancel();
        expect({ sent, status: response.status }).toEqual({ sent, status: 200 });
        return undefined;
      }
      if (path.startsWith("/dashboard")) return expectSoundPage(response, sent);
      if (method === "HEAD") {
        expect({ sent, status: response.status < 500 }).toEqual({ sent, status: true });
        return undefined;
      }
      return expectSoundAnswer(response, sent);
    };

    test("the router's routes include every route of the OpenAPI document, and the dashboard's", async () => {
      const known = new Set(routes.map((route) => `${route.method} ${route.path}`));
      for (const route of await documentedRoutes(app)) {
        expect(known).toContain(`${route.method} ${route.path}`);
      }
      expect(known).toContain("GET /dashboard/entities/:id");
      expect(known).toContain("POST /dashboard/hooks");
    });

    test("ids that traverse paths, hold NUL bytes or look like SQL never get a 5xx on any route with an id", async () => {
      const withParams = routes.filter((route) => /:[a-z_]+|\*/i.test(route.path));
      expect(withParams.length).toBeGreaterThanOrEqual(20);
      for (const route of withParams) {
        for (const id of NASTY_STRINGS.filter((value) => value !== "")) {
          const path = fill(route.path, [percentEncode(id), percentEncode(id)]);
          const init: RequestInit =
            route.method === "GET" || route.method === "DELETE"
              ? {}
              : { headers: { "content-type": "application/json" }, body: "{}" };
          await send(route.method, path, init, `id ${JSON.stringify(id.slice(0, 40))}`);
        }
      }
    });

    test("cursors and filters that decode to impossible positions get a 4xx or a page, never a 5xx", async () => {
      const listing = routes.filter(
        (route) => route.method === "GET" && !/:[a-z_]+|\*/i.test(route.path),
      );
      for (const route of listing) {
        for (const cursor of HOSTILE_CURSORS) {
          await send("GET", `${route.path}?cursor=${percentEncode(cursor)}`, {});
        }
        for (const name of ["since", "until"]) {
          for (const time of ["0000-01-01", "0000-01-01T00:30:00+01:00", "9999-12-31T23:59:59Z"]) {
            await send("GET", `${route.path}?${name}=${percentEncode(time)}`, {});
          }
        }
      }
    });

    test(
      "random methods, paths, queries, headers and bodies never get a 5xx or a non-JSON API error",
      async () => {
        const value = fc.oneof(
          { weight: 1, arbitrary: fc.constantFrom(...realIds) },
          { weight: 3, arbitrary: segment() },
        );
        const requests = fc.constantFrom(...routes).chain((route) =>
          fc.record({
            route: fc.constant(route),
            values: fc.array(value, { minLength: 2, maxLength: 2 }),
            otherMethod: fc.option(fc.constantFrom(...METHODS), { freq: 3, nil: undefined }),
            search: query(),
            headers: headers(),
            body: bodyFor(route),
            csrf: fc.constantFrom(true, true, true, false),
          }),
        );
        await fc.assert(
          fc.asyncProperty(requests, async (request) => {
            const { route, values, otherMethod, search, body: requestBody, csrf } = request;
            const method = otherMethod ?? route.method;
            const path = fill(route.path, values) + search;
            const carriesBody = !["GET", "HEAD"].includes(method) && requestBody !== undefined;
            const headers = { ...request.headers };
            let bytes = requestBody?.bytes ?? "";
            // Most dashboard posts come from the dashboard's own page, token and all.
            if (csrf && route.path.startsWith("/dashboard") && method === "POST") {
              Object.assign(headers, {
                cookie: session.cookie,
                origin: app.url,
                "sec-fetch-site": "same-origin",
                "content-type": "application/x-www-form-urlencoded",
              });
              bytes = new Uint8Array(
                Buffer.concat([Buffer.from(`csrf_token=${session.token}&`), Buffer.from(bytes)]),
              );
            }
            await send(
              method,
              path,
              { headers, ...(carriesBody ? { body: bytes } : {}) },
              carriesBody ? requestBody.note : undefined,
            );
          }),
          FUZZ_SETTINGS,
        );
        await expectHealthy(app);
      },
      PROPERTY_TIMEOUT_MS,
    );

    test("/metrics is still well-formed Prometheus text after the hostile requests", async () => {
      const response = await app.request("/metrics");
      expect(response.status).toBe(200);
      const sample =
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]\w*="([^"\\\n]|\\[\\"n])*",?)*\})? \S+$/;
      const lines = (await response.text()).split("\n").filter((l) => l && !l.startsWith("#"));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((line) => !sample.test(line))).toEqual([]);
    });
  });
}
