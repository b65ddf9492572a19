import { describe, expect, test } from "bun:test";
import {
  EMPTY_AGGREGATE,
  foldEntity,
  type StoredEntityEvent,
} from "../../../../src/ingest/entities/aggregate.ts";
import type { EntityAction } from "../../../../src/ingest/entities/model.ts";

/** An event at minute `at` (its time), received at minute `received` (default: on time). */
function event(
  action: EntityAction,
  at: number,
  payload: unknown = {},
  extra: { received?: number; sequence?: number; entityType?: string } = {},
): StoredEntityEvent {
  const minute = (m: number) => new Date(Date.UTC(2021, 11, 20, 10, m));
  return {
    entityType: extra.entityType ?? "task",
    action,
    occurredAt: minute(at),
    receivedAt: minute(extra.received ?? at),
    ...(extra.sequence === undefined ? {} : { sequence: extra.sequence }),
    payload,
  };
}
const iso = (m: number) => new Date(Date.UTC(2021, 11, 20, 10, m)).toISOString();

describe("foldEntity", () => {
  test("no events fold to the empty aggregate", () => {
    expect(foldEntity([])).toEqual(EMPTY_AGGREGATE);
    expect(EMPTY_AGGREGATE).toEqual({
      entity_type: null,
      state: {},
      version: 0,
      created_at: null,
      updated_at: null,
      deleted: false,
    });
  });

  test("a create then updates: the create sets the state, each update merges its fields", () => {
    const aggregate = foldEntity([
      event("create", 0, { id: "t1", name: "task name", status: "todo" }),
      event("update", 5, { status: "doing", assignee_id: "u1" }),
      event("update", 9, { status: "done" }),
    ]);
    expect(aggregate).toEqual({
      entity_type: "task",
      state: { id: "t1", name: "task name", status: "done", assignee_id: "u1" },
      version: 3,
      created_at: iso(0),
      updated_at: iso(9),
      deleted: false,
    });
  });

  test("an update that arrives before its create but happened after it is applied after it", () => {
    const aggregate = foldEntity([
      event("update", 5, { status: "doing" }, { received: 6 }),
      event("create", 0, { status: "todo", name: "n" }, { received: 7 }),
    ]);
    expect(aggregate.state).toEqual({ status: "doing", name: "n" });
    expect(aggregate.created_at).toBe(iso(0));
    expect(aggregate.updated_at).toBe(iso(5));
  });

  test("a delete marks the entity deleted and keeps its last known state", () => {
    const aggregate = foldEntity([
      event("create", 0, { name: "n" }),
      event("update", 1, { status: "done" }),
      event("delete", 2, { ignored: true }),
    ]);
    expect(aggregate.deleted).toBe(true);
    expect(aggregate.state).toEqual({ name: "n", status: "done" });
    expect(aggregate.updated_at).toBe(iso(2));
  });

  test("a create after a delete brings the entity back with the new payload", () => {
    const aggregate = foldEntity([
      event("create", 0, { name: "first", old: 1 }),
      event("delete", 1),
      event("create", 2, { name: "second" }),
    ]);
    expect(aggregate.deleted).toBe(false);
    expect(aggregate.state).toEqual({ name: "second" });
    expect(aggregate.created_at).toBe(iso(0));
    expect(aggregate.version).toBe(3);
  });

  test("an update after a delete is merged, but only a create brings the entity back", () => {
    const aggregate = foldEntity([
      event("create", 0, { name: "n" }),
      event("delete", 1),
      event("update", 2, { status: "late" }),
    ]);
    expect(aggregate.deleted).toBe(true);
    expect(aggregate.state).toEqual({ name: "n", status: "late" });
  });

  test("updates without a create start from {} and created_at is the first event's time", () => {
    const aggregate = foldEntity([event("update", 4, { b: 2 }), event("update", 3, { a: 1 })]);
    expect(aggregate.state).toEqual({ a: 1, b: 2 });
    expect(aggregate.created_at).toBe(iso(3));
    expect(aggregate.updated_at).toBe(iso(4));
  });

  test.each<[string, StoredEntityEvent[], string]>([
    [
      "equal times: the later arrival wins",
      [
        event("update", 1, { s: "late" }, { received: 9 }),
        event("update", 1, { s: "early" }, { received: 2 }),
      ],
      "late",
    ],
    [
      "equal times and arrivals: the higher sequence wins",
      [
        event("update", 1, { s: "second" }, { sequence: 2 }),
        event("update", 1, { s: "first" }, { sequence: 1 }),
      ],
      "second",
    ],
    [
      "all equal: the order given wins",
      [event("update", 1, { s: "first" }), event("update", 1, { s: "second" })],
      "second",
    ],
    [
      "time beats arrival",
      [
        event("update", 2, { s: "later time" }, { received: 1 }),
        event("update", 1, { s: "earlier time" }, { received: 5 }),
      ],
      "later time",
    ],
  ])("%s", (_name, events, expected) => {
    expect(foldEntity(events).state).toEqual({ s: expected });
  });

  test.each([
    [[event("create", 0)], 1],
    [[event("create", 0), event("update", 1)], 2],
    [[event("create", 0), event("delete", 1), event("create", 2), event("update", 3)], 4],
  ])("version counts every event folded (%#)", (events, version) => {
    expect(foldEntity(events).version).toBe(version);
  });

  test("the merge is shallow: a nested object is replaced whole and null is kept", () => {
    const aggregate = foldEntity([
      event("create", 0, { meta: { a: 1, b: 2 }, note: "x" }),
      event("update", 1, { meta: { c: 3 }, note: null }),
    ]);
    expect(aggregate.state).toEqual({ meta: { c: 3 }, note: null });
  });

  test("a __proto__ key in a payload stays a plain key and pollutes nothing", () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "name": "n"}');
    const aggregate = foldEntity([event("create", 0, {}), event("update", 1, payload)]);
    expect(Object.getPrototypeOf(aggregate.state)).toBe(Object.prototype);
    expect(Object.hasOwn(aggregate.state, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("a payload that is not an object counts as {}", () => {
    const aggregate = foldEntity([event("create", 0, [1, 2]), event("update", 1, "text")]);
    expect(aggregate.state).toEqual({});
    expect(aggregate.version).toBe(2);
  });

  test("entity_type is the last applied event's", () => {
    const aggregate = foldEntity([
      event("update", 1, {}, { entityType: "shot" }),
      event("create", 0, {}, { entityType: "task" }),
    ]);
    expect(aggregate.entity_type).toBe("shot");
  });

  test("the events given are not reordered, and the state is not shared with a payload", () => {
    const payload = { name: "n" };
    const events = [event("update", 2, { b: 1 }), event("create", 1, payload)];
    const before = [...events];
    const aggregate = foldEntity(events);
    expect(events).toEqual(before);
    aggregate.state.name = "changed";
    expect(payload.name).toBe("n");
  });
});
