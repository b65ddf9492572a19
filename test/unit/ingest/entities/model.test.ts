import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import {
  EntityEventBody,
  type FieldProblem,
  parseDateTime,
  validateEntityEvent,
} from "../../../../src/ingest/entities/model.ts";
import { createComponent, updateTask, withFields } from "./examples.ts";

/** The problems for a body; fails the test when it is valid. */
function problemsOf(body: unknown): readonly FieldProblem[] {
  const result = validateEntityEvent(body);
  if (result.ok) throw new Error(`expected problems, got a valid ${JSON.stringify(result.value)}`);
  return result.problems;
}

describe("validateEntityEvent: valid events", () => {
  test.each<[string, EntityEventBody]>([
    ["the create example", createComponent],
    ["the update example", updateTask],
  ])("%s passes unchanged", (_name, example) => {
    expect(validateEntityEvent(structuredClone(example))).toEqual({ ok: true, value: example });
  });

  test("a delete with an id and an empty payload passes", () => {
    const body = {
      action: "delete",
      entity_type: "task",
      time: updateTask.time,
      id: "t1",
      payload: {},
    };
    expect(validateEntityEvent(body).ok).toBe(true);
  });

  test("unknown top-level fields are ignored and left out of the value", () => {
    const result = validateEntityEvent(withFields(updateTask, { project_id: "p1" }));
    expect(result).toEqual({ ok: true, value: updateTask });
  });

  test.each([
    "2021-12-20T10:59:55.123Z",
    "2021-12-20T10:59:55+02:00",
    "2021-12-20T10:59:55-0530",
    "2021-12-20T10:59:55.123456789+01",
    "2021-12-20 10:59:55Z",
    "2021-12-20t10:59:55z",
    "2024-02-29T00:00:00Z",
  ])("time %s is accepted", (time) => {
    expect(validateEntityEvent(withFields(createComponent, { time })).ok).toBe(true);
  });
});

describe("validateEntityEvent: invalid events name the field and say why", () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    [
      "a missing action",
      { action: undefined },
      "action",
      "required: one of create, update, delete",
    ],
    [
      "an unknown action",
      { action: "remove" },
      "action",
      'expected one of create, update, delete, got "remove"',
    ],
    ["an upper-case action", { action: "CREATE" }, "action", 'got "CREATE"'],
    ["a missing entity_type", { entity_type: undefined }, "entity_type", "required"],
    ["an empty entity_type", { entity_type: "" }, "entity_type", 'got ""'],
    [
      "an entity_type with a space",
      { entity_type: "asset version" },
      "entity_type",
      "<entity_type>.<action>",
    ],
    [
      "an entity_type with a dot",
      { entity_type: "task.comment" },
      "entity_type",
      "letters, digits, _ and -",
    ],
    ["a reserved entity_type", { entity_type: "github" }, "entity_type", "reserved"],
    [
      "hookyard's own entity type (its operational events)",
      { entity_type: "hookyard" },
      "entity_type",
      "reserved",
    ],
    ["an entity_type too long", { entity_type: "x".repeat(129) }, "entity_type", "at most 128"],
    ["an entity_type not a string", { entity_type: 7 }, "entity_type", "got the number 7"],
    [
      "a missing time",
      { time: undefined },
      "time",
      "required: an ISO-8601 date-time such as 2021-12-20T10:59:55Z",
    ],
    [
      "a time that is not a date",
      { time: "yesterday" },
      "time",
      "expected an ISO-8601 date-time such as 2021-12-20T10:59:55Z",
    ],
    ["a time in epoch seconds", { time: 1639997995 }, "time", "got the number 1639997995"],
    ["a month 13", { time: "2021-13-45T10:59:55Z" }, "time", "month 13 does not exist"],
    [
      "a 29 February outside a leap year",
      { time: "2021-02-29T10:00:00Z" },
      "time",
      "2021-02 has no day 29",
    ],
    ["an hour 24", { time: "2021-12-20T24:00:00Z" }, "time", "not a time of day"],
    ["a time without a timezone", { time: "2021-12-20T10:59:55" }, "time", "without a timezone"],
    ["a date without a time", { time: "2021-12-20" }, "time", "YYYY-MM-DDThh:mm:ssZ"],
    ["an offset out of range", { time: "2021-12-20T10:59:55+25:00" }, "time", "not an offset"],
    ["an empty id", { id: "" }, "id", "non-empty string"],
    ["a numeric id", { id: 42 }, "id", "got the number 42"],
    ["an id too long", { id: "i".repeat(257) }, "id", "at most 256 characters, got 257"],
    [
      "modified_fields not an array",
      { modified_fields: "assignee" },
      "modified_fields",
      'such as ["assignee"]',
    ],
    [
      "modified_fields not strings",
      { modified_fields: ["a", 1, null] },
      "modified_fields",
      "[1] is the number 1, [2] is null",
    ],
    ["a missing payload", { payload: undefined }, "payload", "required"],
    ["a payload that is a string", { payload: "x" }, "payload", 'got "x"'],
    ["a payload that is an array", { payload: [1] }, "payload", "got an array"],
    ["a payload that is null", { payload: null }, "payload", "got null"],
  ])("%s", (_name, fields, field, reason) => {
    const problems = problemsOf(withFields(updateTask, fields));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.message).toContain(reason);
  });

  test("every bad field is reported at once, in body order", () => {
    const body = {
      action: "remove",
      entity_type: "",
      time: "nope",
      id: 1,
      modified_fields: [2],
      payload: [],
    };
    expect(problemsOf(body).map((problem) => problem.field)).toEqual([
      "action",
      "entity_type",
      "time",
      "id",
      "modified_fields",
      "payload",
    ]);
  });

  test.each([[null], [[]], ["text"], [42]])("a body that is %p is one problem on body", (body) => {
    expect(problemsOf(body)).toEqual([
      { field: "body", message: expect.stringContaining("expected a JSON object") },
    ]);
  });

  test("a long bad value is shortened in the message", () => {
    const [problem] = problemsOf(withFields(updateTask, { action: "x".repeat(500) }));
    expect(problem?.message.length).toBeLessThan(120);
  });
});

describe("parseDateTime", () => {
  test.each([
    ["2021-12-20T10:59:55Z", "2021-12-20T10:59:55.000Z"],
    ["2021-12-20T12:59:55+02:00", "2021-12-20T10:59:55.000Z"],
    ["2021-12-20T05:29:55-0530", "2021-12-20T10:59:55.000Z"],
    ["2021-12-20T10:59:55.98765Z", "2021-12-20T10:59:55.987Z"],
    ["2021-12-20T10:59:55.5Z", "2021-12-20T10:59:55.500Z"],
    ["0099-01-01T00:00:00Z", "0099-01-01T00:00:00.000Z"],
  ])("%s is the instant %s", (text, iso) => {
    const parsed = parseDateTime(text);
    expect(parsed.ok && parsed.date.toISOString()).toBe(iso);
  });

  test("a leap second is refused, as a Date cannot hold it", () => {
    expect(parseDateTime("2016-12-31T23:59:60Z").ok).toBe(false);
  });
});

describe("EntityEventBody (the Elysia schema) agrees with validateEntityEvent", () => {
  // normalize: false checks the body as sent; see the last test for the default.
  const app = new Elysia({ normalize: false }).post("/", ({ body }) => body, {
    body: EntityEventBody,
  });
  const post = (body: unknown, to = app) =>
    to.handle(
      new Request("http://hookyard.test/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );

  test.each<[string, unknown]>([
    ["the create example", createComponent],
    ["the update example", updateTask],
    ["an extra top-level field", withFields(updateTask, { extra: 1 })],
    ["an offset time", withFields(updateTask, { time: "2021-12-20T10:59:55+02:00" })],
    ["a missing action", withFields(updateTask, { action: undefined })],
    ["an unknown action", withFields(updateTask, { action: "remove" })],
    ["a dotted entity_type", withFields(updateTask, { entity_type: "task.comment" })],
    ["a reserved entity_type", withFields(updateTask, { entity_type: "hook" })],
    ["an impossible date", withFields(updateTask, { time: "2021-13-45T10:59:55Z" })],
    ["a time without a timezone", withFields(updateTask, { time: "2021-12-20T10:59:55" })],
    ["an empty id", withFields(updateTask, { id: "" })],
    ["modified_fields with a number", withFields(updateTask, { modified_fields: [1] })],
    ["a payload array", withFields(updateTask, { payload: [] })],
    ["a payload string", withFields(updateTask, { payload: "x" })],
    ["a null payload", withFields(updateTask, { payload: null })],
    ["a missing payload", withFields(updateTask, { payload: undefined })],
  ])("%s: same verdict", async (_name, body) => {
    const response = await post(body);
    expect(response.status === 200).toBe(validateEntityEvent(body).ok);
    if (response.status !== 200) expect(response.status).toBe(422);
  });

  test("the schema keeps the payload's fields as sent", async () => {
    const response = await post(updateTask);
    expect(((await response.json()) as { payload: unknown }).payload).toEqual(updateTask.payload);
  });

  test("Elysia's default normalize turns a string payload into an object, so the route validates by hand", async () => {
    // exact-mirror copies a Record's keys with for…in before the check runs: "x" becomes
    // {"0": "x"} and passes. If this starts failing, Elysia fixed it.
    const lenient = new Elysia().post("/", ({ body }) => body, { body: EntityEventBody });
    const response = await post(withFields(updateTask, { payload: "x" }), lenient);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { payload: unknown }).payload).toEqual({ 0: "x" });
  });
});
