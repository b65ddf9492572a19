/**
 * The pure parts of the dashboard's event, entity, change and hook pages, table-driven.
 * (They sit beside the integration tests of those pages, which exercise them end to end.)
 */
import { describe, expect, test } from "bun:test";
import { changeRow, commitUrl } from "../../src/dashboard/pages/changes.tsx";
import { entityState } from "../../src/dashboard/pages/entity-state.ts";
import {
  compactJsonPreview,
  displayOrigin,
  entityFields,
  firstEventCurl,
  isPlausibleText,
  modifiedFields,
  readEventListQuery,
  shellQuote,
} from "../../src/dashboard/pages/event-display.ts";
import { readUserid } from "../../src/dashboard/pages/hooks.tsx";
import { encodeCursor } from "../../src/store/cursor.ts";
import type { StoredEvent } from "../../src/store/events.ts";

describe("compactJsonPreview", () => {
  test.each([
    [{ a: 1, b: "x" }, 100, '{"a":1,"b":"x"}'],
    [[1, null, true], 100, "[1,null,true]"],
    ["<script>", 100, '"<script>"'],
    [{ long: "abcdefghij" }, 10, '{"long":"a…'],
    [{ a: undefined, b: 2 }, 100, '{"b":2}'],
    [null, 100, "null"],
    [undefined, 100, ""],
    [10n, 100, "10"],
  ])("%p cut at %p chars is %p", (value, max, expected) => {
    expect(compactJsonPreview(value, max)).toBe(expected);
  });

  test("stops early on a huge payload instead of serializing all of it", () => {
    const huge = {
      items: Array.from({ length: 200_000 }, (_, i) => ({ i, text: "x".repeat(50) })),
    };
    const started = performance.now();
    const preview = compactJsonPreview(huge, 160);
    expect(preview).toHaveLength(161);
    expect(preview.endsWith("…")).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

const event = (source: string, payload: unknown) => ({ source, payload });

describe("entity event payloads", () => {
  test.each([
    [
      "an entity body's payload",
      event("entity", { action: "create", payload: { id: 1 } }),
      { id: 1 },
    ],
    ["a non-entity payload whole", event("github", { payload: { x: 1 } }), { payload: { x: 1 } }],
    ["an entity payload of another shape whole", event("entity", { id: 2 }), { id: 2 }],
    ["a non-object as is", event("entity", "text"), "text"],
  ])("entityFields shows %s", (_name, stored, expected) => {
    expect(entityFields(stored)).toEqual(expected);
  });

  test.each([
    [event("entity", { modified_fields: ["a", "b"] }), ["a", "b"]],
    [event("entity", { payload: {} }), undefined],
    [event("hook", { modified_fields: ["a"] }), undefined],
  ])("modifiedFields(%p) is %p", (stored, expected) => {
    expect(modifiedFields(stored)).toEqual(expected);
  });
});

describe("readEventListQuery", () => {
  const cursor = encodeCursor({ at: 1, id: "e1" });
  test.each([
    ["no query: no filter", {}, {}, false, 0],
    [
      "source and text",
      { source: "github", q: "needle" },
      { source: "github", text: "needle" },
      false,
      0,
    ],
    [
      "entity and type",
      { entity_id: "t-1", type: "task.update" },
      { entityId: "t-1", type: "task.update" },
      false,
      0,
    ],
    ["an overlong text: ignored, with a warning", { q: "x".repeat(201) }, {}, false, 1],
    ["a NUL byte: ignored, with a warning", { type: "a\u0000b" }, {}, false, 1],
    ["a cursor", { cursor }, {}, true, 0],
    ["a broken cursor: first page, with a warning", { cursor: "garbage!" }, {}, false, 1],
  ])("reads %s", (_name, query, filter, hasCursor, problems) => {
    const read = readEventListQuery(query);
    expect(Object.fromEntries(Object.entries(read.filter).filter(([, v]) => v))).toEqual(filter);
    expect(read.after !== undefined).toBe(hasCursor);
    expect(read.problems).toHaveLength(problems);
  });
});

describe("isPlausibleText", () => {
  test.each([
    ["task-1", true],
    ["", false],
    ["a\nb", false],
    ["x".repeat(256), true],
    ["x".repeat(257), false],
  ])("%p → %p", (text, expected) => {
    expect(isPlausibleText(text)).toBe(expected);
  });
});

describe("copyable commands", () => {
  test.each([
    ["http://127.0.0.1:8000/webhooks/event", "http://127.0.0.1:8000/webhooks/event"],
    ["it's", "'it'\\''s'"],
    ["$(rm -rf /)", "'$(rm -rf /)'"],
  ])("shellQuote(%p) is %p", (text, expected) => {
    expect(shellQuote(text)).toBe(expected);
  });

  test("the first-event curl posts the example to the origin, timed now", () => {
    const command = firstEventCurl("http://hooks.local:8000", new Date("2026-11-22T10:15:00.123Z"));
    expect(command).toBe(
      [
        "curl -X POST http://hooks.local:8000/webhooks/event \\",
        "  -H 'content-type: application/json' \\",
        `  -d '{"action":"create","entity_type":"task","time":"2026-11-22T10:15:00Z","payload":{"id":"task-1","name":"Write docs"}}'`,
      ].join("\n"),
    );
  });

  test.each([
    ["the request's own origin", {}, "http://h:1"],
    ["https behind a TLS proxy", { "x-forwarded-proto": "https" }, "https://h:1"],
    ["no made-up scheme", { "x-forwarded-proto": "javascript" }, "http://h:1"],
  ])("displayOrigin shows %s", (_name, headers, expected) => {
    expect(displayOrigin(new Request("http://h:1/dashboard", { headers }))).toBe(expected);
  });
});

describe("changes", () => {
  const data = {
    ts: "2026-11-22T10:15:00Z",
    source: "github",
    change_type: "push",
    data: {
      repository: "octo/app",
      branch: "main",
      commit: "a".repeat(40),
      author: "A <a@x>",
      message: "Fix\n\nbody",
    },
  };
  test.each([
    ["the contract's shape", data, { ts: data.ts, ...data.data }],
    ["the same as JSON text", JSON.stringify(data), { ts: data.ts, ...data.data }],
    ["something else", [1, 2], {}],
  ])("changeRow reads %s", (_name, rowData, expected) => {
    const { id, ...fields } = changeRow({ id: 7, data: rowData });
    expect(id).toBe(7);
    expect(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))).toEqual(
      expected,
    );
  });

  test.each([
    [
      { id: 1, repository: "octo/app", commit: "abc1234" },
      "https://github.com/octo/app/commit/abc1234",
    ],
    [{ id: 1, repository: "javascript:alert(1)//x", commit: "abc1234" }, undefined],
    [{ id: 1, repository: "octo/app", commit: "HEAD" }, undefined],
  ])("commitUrl(%p) is %p", (row, expected) => {
    expect(commitUrl(row)).toBe(expected);
  });
});

describe("entityState", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute));
  const stored = (
    action: string | null,
    minute: number,
    fields: Record<string, unknown>,
    source = "entity",
  ): StoredEvent => ({
    id: `e${minute}`,
    source,
    type: `task.${action}`,
    entityType: "task",
    entityId: "t1",
    action,
    occurredAt: at(minute),
    receivedAt: at(minute),
    payload: { action, payload: fields },
    headers: {},
    body: null,
  });

  test("folds the entity events' own fields, in time order", () => {
    const state = entityState([
      stored("update", 5, { b: 2 }),
      stored("create", 1, { a: 1 }),
      stored("triggered", 3, { c: 3 }, "hook"),
    ]);
    expect(state).toMatchObject({ state: { a: 1, b: 2 }, version: 2, deleted: false });
  });

  test("marks a deleted entity", () => {
    expect(entityState([stored("create", 1, { a: 1 }), stored("delete", 2, {})])?.deleted).toBe(
      true,
    );
  });

  test("has no state without entity events", () => {
    expect(entityState([stored("triggered", 1, {}, "hook")])).toBeUndefined();
  });
});

describe("readUserid", () => {
  test.each([
    ["trims a user id", " alice ", { ok: true, userid: "alice" }],
    ["refuses an empty one", "", { ok: false }],
    ["refuses a missing one", undefined, { ok: false }],
    ["refuses one over 256 characters", "x".repeat(257), { ok: false }],
  ])("%s", (_name, value, expected) => {
    expect(readUserid(value)).toMatchObject(expected);
  });
});
