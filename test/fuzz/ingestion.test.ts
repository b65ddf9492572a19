/**
 * Mutated real payloads at the ingestion routes: GitHub's own push, ping and issues
 * examples, entity events, relay events and Pub/Sub envelopes, and hook triggers, with
 * one field at a time replaced by a wrong type, null, a huge or deeply nested value,
 * unicode, NUL or SQL, some bodies spliced with bytes that are not UTF-8, and most of them
 * signed validly so the mutation reaches the parser. Whatever comes in: no 5xx, every
 * error JSON, and nothing partial: the events, changes, deliveries and relay messages
 * stored are exactly those the 2xx answers account for.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import type { TimeCursor } from "../../src/store/cursor.ts";
import type { Page } from "../../src/store/events.ts";
import {
  branchDeletedPush,
  defaultBranchPush,
  issuesExample,
  mergeButtonPush,
  otherBranchPush,
  pingExample,
  tagPush,
} from "../fixtures/github/push.ts";
import { postJson, startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import {
  expectHealthy,
  expectSoundAnswer,
  FUZZ_SETTINGS,
  INVALID_UTF8,
  mutationOf,
  nastyString,
  nastyValue,
  PROPERTY_TIMEOUT_MS,
  REPLAYING,
  RUNS,
  withInvalidUtf8,
} from "./hostile.ts";

const GITHUB_SECRET = "fuzz-github-secret";
const EVENTS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PUBSUB_TOKEN = "fuzz-pubsub-token";
/** Replaced by a fresh id in each request, so most requests are new rather than duplicates. */
const FRESH = "__FRESH_ID__";

/** What a request should have stored, judged from its answer. */
interface Stored {
  events: number;
  changes: number;
  relay: number;
}

interface Ingestion {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array<ArrayBuffer> | string;
  readonly note: string;
}

/** How fast-check prints a failing request: its note, path, headers and the body's start. */
function readable(request: Ingestion): Ingestion {
  const body =
    request.body === undefined ? "" : Buffer.from(request.body).toString("utf8").slice(0, 400);
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      `${request.method} ${request.path} (${request.note}) ${JSON.stringify(request.headers)} ${JSON.stringify(body)}`,
  });
}

/** How a body is spoiled after it is built, before it is signed. */
type Spoil = { kind: "none" } | { kind: "utf8"; bytes: Uint8Array; at: number };

const spoil = (): fc.Arbitrary<Spoil> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant<Spoil>({ kind: "none" }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...INVALID_UTF8), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([bytes, at]): Spoil => ({ kind: "utf8", bytes, at })),
    },
  );

function finish(document: unknown, spoiled: Spoil): Uint8Array<ArrayBuffer> {
  const text = (JSON.stringify(document) ?? "null").replaceAll(
    JSON.stringify(FRESH),
    JSON.stringify(crypto.randomUUID()),
  );
  return spoiled.kind === "none"
    ? new TextEncoder().encode(text)
    : withInvalidUtf8(text, spoiled.bytes, spoiled.at);
}

/** Signature choices: mostly valid, so the mutation reaches the parser. */
type Signing = "valid" | "wrong" | "missing";
const signing = () =>
  fc.constantFrom<Signing>("valid", "valid", "valid", "valid", "valid", "wrong", "missing");

const GITHUB_EXAMPLES: [string, () => Record<string, unknown>][] = [
  ["push", () => defaultBranchPush()],
  ["push", () => mergeButtonPush()],
  ["push", () => tagPush()],
  ["push", () => otherBranchPush()],
  ["push", () => branchDeletedPush()],
  ["ping", () => pingExample()],
  ["issues", () => issuesExample()],
];

const githubRequest = (deliveryIds: string[]): fc.Arbitrary<Ingestion> =>
  fc
    .constantFrom(...GITHUB_EXAMPLES)
    .chain(([event, build]) =>
      fc.record({
        event: fc.oneof(
          { weight: 8, arbitrary: fc.constant(event) },
          { weight: 1, arbitrary: nastyString() },
        ),
        payload: fc.oneof(
          { weight: 1, arbitrary: fc.constant<unknown>(build()) },
          { weight: 4, arbitrary: mutationOf(build()) },
        ),
        form: fc.boolean(),
        spoiled: spoil(),
        signed: signing(),
        delivery: fc.constantFrom("fresh", "fresh", "fresh", "repeat", "hostile"),
        hostileDelivery: nastyString(),
      }),
    )
    .map(({ event, payload, form, spoiled, signed, delivery, hostileDelivery }) => {
      const json = finish(payload, spoiled);
      const body = form
        ? Buffer.concat([Buffer.from("payload="), Buffer.from(percentEncodeBytes(json))])
        : json;
      const fresh = crypto.randomUUID();
      const deliveryId =
        delivery === "repeat" && deliveryIds.length > 0
          ? (deliveryIds[deliveryIds.length - 1] as string)
          : delivery === "hostile"
            ? hostileDelivery
            : fresh;
      deliveryIds.push(fresh);
      const headers: Record<string, string> = {
        "content-type": form ? "application/x-www-form-urlencoded" : "application/json",
        "x-github-event": headerSafe(event),
        "x-github-delivery": headerSafe(deliveryId),
      };
      if (signed !== "missing") {
        const key = signed === "valid" ? GITHUB_SECRET : "not-the-secret";
        headers["x-hub-signature-256"] =
          `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
      }
      return {
        method: "POST",
        path: "/webhooks/github",
        headers,
        body: new Uint8Array(body),
        note: `github ${event.slice(0, 20)}, ${signed} signature, ${form ? "form" : "json"}`,
      };
    });

const ENTITY_EVENTS: Record<string, unknown>[] = [
  {
    action: "create",
    entity_type: "task",
    time: "2026-11-22T10:00:00Z",
    payload: { id: FRESH, name: "Write docs", done: false, tags: ["a", "b"] },
  },
  {
    action: "update",
    entity_type: "task",
    time: "2026-11-22T10:05:00+02:00",
    id: FRESH,
    modified_fields: ["done"],
    payload: { done: true },
  },
  {
    action: "delete",
    entity_type: "asset_version",
    time: "2026-11-22T10:10:00Z",
    id: FRESH,
    payload: {},
  },
];

const entityRequest = (webhookIds: string[]): fc.Arbitrary<Ingestion> =>
  fc
    .constantFrom(...ENTITY_EVENTS)
    .chain((event) =>
      fc.record({
        document: fc.oneof(
          { weight: 1, arbitrary: fc.constant<unknown>(event) },
          { weight: 4, arbitrary: mutationOf(event) },
        ),
        spoiled: spoil(),
        signed: signing(),
        repeat: fc.boolean(),
        stale: fc.constantFrom(false, false, false, true),
      }),
    )
    .map(({ document, spoiled, signed, repeat, stale }) => {
      const body = finish(document, spoiled);
      const fresh = `msg_${crypto.randomUUID()}`;
      const id = repeat && webhookIds.length > 0 ? (webhookIds.at(-1) as string) : fresh;
      webhookIds.push(fresh);
      const seconds = Math.floor(Date.now() / 1000) - (stale ? 3600 : 0);
      const key = Buffer.from(
        (signed === "valid" ? EVENTS_SECRET : "whsec_d3Jvbmcgc2VjcmV0IGtleQ==").slice(6),
        "base64",
      );
      const signature = createHmac("sha256", key).update(`${id}.${seconds}.`).update(body);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(seconds),
      };
      if (signed !== "missing") headers["webhook-signature"] = `v1,${signature.digest("base64")}`;
      return {
        method: "POST",
        path: "/webhooks/event",
        headers,
        body,
        note: `entity, ${signed} signature${stale ? ", stale" : ""}`,
      };
    });

const RELAY_EVENT = {
  id: FRESH,
  type: "task.updated",
  project: "fuzz-project",
  time: "2026-11-22T10:00:00Z",
  data: { id: "task-1", changes: { done: true } },
};

const relayRequest = (): fc.Arbitrary<Ingestion> =>
  fc
    .record({
      event: fc.oneof(
        { weight: 1, arbitrary: fc.constant<unknown>(RELAY_EVENT) },
        { weight: 3, arbitrary: mutationOf(RELAY_EVENT) },
      ),
      enveloped: fc.boolean(),
      envelopeMutation: fc.option(
        fc.tuple(fc.constantFrom("message", "data", "subscription"), nastyValue()),
        {
          freq: 3,
          nil: undefined,
        },
      ),
      spoiled: spoil(),
      token: fc.constantFrom("valid", "valid", "valid", "wrong"),
    })
    .map(({ event, enveloped, envelopeMutation, spoiled, token }) => {
      let body = finish(event, enveloped ? { kind: "none" } : spoiled);
      if (enveloped) {
        const message: Record<string, unknown> = {
          data: Buffer.from(finish(event, spoiled)).toString("base64"),
          messageId: String(Math.floor(Math.random() * 1e12)),
          publishTime: "2026-11-22T10:00:01Z",
          attributes: { origin: "fuzz" },
        };
        const envelope: Record<string, unknown> = {
          message,
          subscription: "projects/p/subscriptions/s",
        };
        if (envelopeMutation) {
          const [where, value] = envelopeMutation;
          if (where === "data") message.data = value;
          else envelope[where] = value;
        }
        body = finish(envelope, { kind: "none" });
      }
      return {
        method: "POST",
        path: `/notifications?token=${token === "valid" ? PUBSUB_TOKEN : "wrong"}`,
        headers: { "content-type": "application/json" },
        body,
        note: `notification, ${enveloped ? "envelope" : "raw"}, ${token} token`,
      };
    });

const hookRequest = (hookId: () => string): fc.Arbitrary<Ingestion> =>
  fc
    .record({
      method: fc.constantFrom("GET", "POST"),
      id: fc.oneof(
        { weight: 4, arbitrary: fc.constant("hook") },
        { weight: 1, arbitrary: nastyString() },
      ),
      query: fc.option(nastyString(), { nil: undefined }),
      contentType: fc.constantFrom(
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
      ),
      body: nastyValue(),
      spoiled: spoil(),
    })
    .map(({ method, id, query, contentType, body, spoiled }) => {
      const target = id === "hook" ? hookId() : percentEncodeBytes(new TextEncoder().encode(id));
      const search = query === undefined ? "" : `?q=${percentEncodeBytes(Buffer.from(query))}`;
      const text =
        contentType === "application/x-www-form-urlencoded"
          ? new URLSearchParams({ value: typeof body === "string" ? body : "x" }).toString()
          : JSON.stringify(body);
      return {
        method,
        path: `/webhook/${target || "x"}${search}`,
        headers: { "content-type": contentType },
        ...(method === "POST"
          ? {
              body:
                spoiled.kind === "none" ? text : withInvalidUtf8(text, spoiled.bytes, spoiled.at),
            }
          : {}),
        note: `hook trigger, ${contentType}`,
      };
    });

const percentEncodeBytes = (bytes: Uint8Array) =>
  [...bytes].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

/** Header values fetch accepts: no CR, LF, NUL, nothing above U+00FF. */
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");

/**
 * What an answer says was stored. By status and route, not "any 2xx": a hostile hook id
 * of "." or ".." is a dot segment that fetch resolves, so the request can land on
 * GET /webhook (the list, 200), which stores nothing.
 */
function accountFor(request: Ingestion, status: number, body: unknown): Stored {
  const none = { events: 0, changes: 0, relay: 0 };
  const answer = body as { duplicate?: unknown; ok?: unknown } | undefined;
  if (answer?.duplicate === true) return none;
  const route = request.path.split("?")[0] ?? "";
  if (route === "/webhooks/github") {
    if (status === 201) return { ...none, events: 1, changes: 1 };
    return status === 202 || (status === 200 && answer?.ok === true)
      ? { ...none, events: 1 }
      : none;
  }
  if (route === "/notifications") return status === 202 ? { ...none, relay: 1 } : none;
  return status === 201 ? { ...none, events: 1 } : none;
}

async function countAll<T, C>(list: (after: C | undefined) => Promise<Page<T, C>>) {
  let count = 0;
  let after: C | undefined;
  do {
    const page = await list(after);
    count += page.items.length;
    after = page.next ?? undefined;
  } while (after !== undefined);
  return count;
}

for (const dialect of dialects) {
  describe(`mutated payloads at the ingestion routes (${dialect})`, () => {
    let app: TestApp;
    let receiver: Receiver;
    let hookId = "";

    beforeAll(async () => {
      receiver = startReceiver();
      app = await startTestApp(dialect, {
        settings: {
          GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
          EVENTS_WEBHOOK_SECRET: EVENTS_SECRET,
          PUBSUB_TOKEN,
          ALLOW_PRIVATE_ENDPOINTS: "true",
        },
      });
      // Every stored event fans out to this endpoint: one delivery per event.
      expect((await postJson(app, "/endpoints", { url: receiver.url })).status).toBe(201);
      const hook = await postJson(app, "/webhook", { userid: "fuzzer" });
      hookId = (await hook.json()).id;
    });
    afterAll(async () => {
      await app.stop();
      await receiver.stop();
    });

    const stored = async () => ({
      events: await countAll((after?: TimeCursor) =>
        app.store.events.list({}, { limit: 500, after }),
      ),
      changes: await countAll((before: number | undefined) =>
        app.store.changes.list({ limit: 500, before }),
      ),
      relay: await countAll((after?: TimeCursor) =>
        app.store.relay.list({}, { limit: 500, after }),
      ),
      deliveries: await countAll((after?: TimeCursor) =>
        app.store.deliveries.list({}, { limit: 500, after }),
      ),
    });

    test(
      "no 5xx, every error JSON, and exactly what the 2xx answers account for is stored, with requests sent up to four at once",
      async () => {
        const before = await stored();
        const expected = { ...before };
        const answers: Record<string, number> = {};
        const deliveryIds: string[] = [];
        const webhookIds: string[] = [];
        await fc.assert(
          fc.asyncProperty(
            // Up to four at once: a repeated delivery id may race its first copy, and the
            // answers must still account for exactly what was stored.
            fc.array(
              fc
                .oneof(
                  githubRequest(deliveryIds),
                  entityRequest(webhookIds),
                  relayRequest(),
                  hookRequest(() => hookId),
                )
                .map(readable),
              { minLength: 1, maxLength: 4 },
            ),
            async (batch) => {
              await Promise.all(
                batch.map(async (request) => {
                  const response = await app.request(request.path, {
                    method: request.method,
                    headers: request.headers,
                    ...(request.body === undefined ? {} : { body: request.body }),
                  });
                  const body = await expectSoundAnswer(response, request);
                  const delta = accountFor(request, response.status, body);
                  expected.events += delta.events;
                  expected.changes += delta.changes;
                  expected.relay += delta.relay;
                  expected.deliveries += delta.events;
                  const route = request.path.split("?")[0]?.replace(hookId, ":id");
                  answers[`${route} ${response.status}`] =
                    (answers[`${route} ${response.status}`] ?? 0) + 1;
                }),
              );
            },
          ),
          FUZZ_SETTINGS,
        );
        expect(await stored()).toEqual(expected);
        // Enough of the runs must have been stored, or the test would prove little.
        if (!REPLAYING) expect(expected.events - before.events).toBeGreaterThan(RUNS / 10);
        if (process.env.FUZZ_VERBOSE) console.log(dialect, answers);
        await expectHealthy(app);
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
