import { describe, expect, test } from "bun:test";
import type { EntityEventBody, FieldProblem } from "../../../../src/ingest/entities/model.ts";
import {
  type EntityEvent,
  parseEntityEvent,
  toEntityEvent,
} from "../../../../src/ingest/entities/normalize.ts";
import { createComponent, updateTask, withFields } from "./examples.ts";

const ID = "25589645-cd89-44bb-8954-6b4ee87aa57f";
const body = (base: object, fields: Record<string, unknown> = {}) =>
  withFields(base, fields) as unknown as EntityEventBody;

function eventOf(valid: EntityEventBody): EntityEvent {
  const result = toEntityEvent(valid);
  if (!result.ok) throw new Error(`expected an event, got ${JSON.stringify(result.problems)}`);
  return result.event;
}
function problemsOf(valid: EntityEventBody): readonly FieldProblem[] {
  const result = toEntityEvent(valid);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.event)}`);
  return result.problems;
}

describe("toEntityEvent: the stored shape", () => {
  test("the create example is filed under payload.id as component.create", () => {
    expect(eventOf(body(createComponent))).toEqual({
      entityType: "component",
      entityId: ID,
      action: "create",
      occurredAt: new Date("2021-12-20T10:59:55Z"),
      type: "component.create",
      modifiedFields: null,
      payload: createComponent.payload,
    });
  });

  test("the update example is filed under id as task.update with its modified fields", () => {
    expect(eventOf(body(updateTask))).toEqual({
      entityType: "task",
      entityId: ID,
      action: "update",
      occurredAt: new Date("2021-12-21T08:51:22Z"),
      type: "task.update",
      modifiedFields: ["assignee"],
      payload: updateTask.payload,
    });
  });

  test("occurredAt is the instant the time names, whatever its offset", () => {
    const event = eventOf(body(updateTask, { time: "2021-12-21T10:51:22+02:00" }));
    expect(event.occurredAt.toISOString()).toBe("2021-12-21T08:51:22.000Z");
  });
});

describe("toEntityEvent: which entity", () => {
  test.each<[string, object, Record<string, unknown>, string]>([
    ["a create with payload.id only", createComponent, {}, ID],
    ["a create with id and an equal payload.id", createComponent, { id: ID }, ID],
    ["a create with id only", createComponent, { id: "c1", payload: { name: "n" } }, "c1"],
    ["a create with an integer payload.id", createComponent, { payload: { id: 42 } }, "42"],
    [
      "an id equal to an integer payload.id",
      createComponent,
      { id: "42", payload: { id: 42 } },
      "42",
    ],
    [
      "a create with a null payload.id and an id",
      createComponent,
      { id: "c1", payload: { id: null } },
      "c1",
    ],
    ["an update with id", updateTask, {}, ID],
    ["an update with id and an equal payload.id", updateTask, { payload: { id: ID } }, ID],
    ["a delete with id", updateTask, { action: "delete", payload: {} }, ID],
  ])("%s", (_name, base, fields, entityId) => {
    expect(eventOf(body(base, fields)).entityId).toBe(entityId);
  });

  test("a delete with id is stored as <type>.delete", () => {
    const event = eventOf(body(updateTask, { action: "delete", payload: {} }));
    expect(event.type).toBe("task.delete");
    expect(event.action).toBe("delete");
  });

  test.each<[string, object, Record<string, unknown>, FieldProblem]>([
    [
      "a create whose id and payload.id differ",
      createComponent,
      { id: "other" },
      { field: "id", message: `"other" disagrees with payload.id "${ID}"` },
    ],
    [
      "an update whose payload.id differs from id",
      updateTask,
      { payload: { id: "other" } },
      { field: "id", message: `"${ID}" disagrees with payload.id "other"` },
    ],
    [
      "a create without any id",
      createComponent,
      { payload: { name: "n" } },
      { field: "id", message: "required, as id or payload.id" },
    ],
    [
      "an update without id",
      updateTask,
      { id: undefined },
      { field: "id", message: "required for update and delete" },
    ],
    [
      "a delete without id",
      updateTask,
      { action: "delete", id: undefined },
      { field: "id", message: "required for update and delete" },
    ],
    [
      "an update with only payload.id",
      updateTask,
      { id: undefined, payload: { id: ID } },
      {
        field: "id",
        message: "required for update and delete (payload.id is only read on create)",
      },
    ],
  ])("%s is a problem", (_name, base, fields, problem) => {
    expect(problemsOf(body(base, fields))).toEqual([problem]);
  });

  test.each<[string, unknown, string]>([
    ["an object", { value: 1 }, "got an object"],
    ["a fraction", 1.5, "got the number 1.5"],
    ["an empty string", "", 'got ""'],
    ["a boolean", true, "got true"],
    ["a string too long", "p".repeat(257), "at most 256 characters"],
  ])("a payload.id that is %s is a problem on payload.id", (_name, payloadId, reason) => {
    const [problem, ...rest] = problemsOf(body(createComponent, { payload: { id: payloadId } }));
    expect(rest).toEqual([]);
    expect(problem?.field).toBe("payload.id");
    expect(problem?.message).toContain(reason);
  });
});

describe("parseEntityEvent: validation and normalization in one", () => {
  test("a valid body becomes an event", () => {
    const result = parseEntityEvent(structuredClone(updateTask));
    expect(result.ok && result.event.type).toBe("task.update");
  });

  test("an invalid body gives the validation problems, every one", () => {
    const result = parseEntityEvent(withFields(updateTask, { action: "remove", time: "nope" }));
    expect(result.ok ? [] : result.problems.map((problem) => problem.field)).toEqual([
      "action",
      "time",
    ]);
  });

  test("a valid body without an entity id gives the normalization problem", () => {
    const result = parseEntityEvent(withFields(updateTask, { id: undefined }));
    expect(result).toEqual({
      ok: false,
      problems: [{ field: "id", message: "required for update and delete" }],
    });
  });
});
