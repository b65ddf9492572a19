import { describe, expect, test } from "bun:test";
import { judgeEvent } from "../../../src/dashboard/pages/endpoint-filter-test.ts";
import {
  endpointFormProblems,
  endpointUpdateBody,
  problemsByField,
  readFilterText,
} from "../../../src/dashboard/pages/endpoint-form.ts";
import {
  EMPTY_SOURCE_FORM,
  parseSecretLines,
  type SourceFormValues,
  sourceCreateBody,
  sourceFormValues,
  sourceProblemsByField,
  sourceUpdateBody,
  verifierBody,
} from "../../../src/dashboard/pages/source-form.ts";
import { parseSourceInput, type Source } from "../../../src/sources/definition.ts";

const form = (fields: Partial<SourceFormValues>): SourceFormValues => ({
  ...EMPTY_SOURCE_FORM,
  ...fields,
});

const stored = (verifier: unknown, eventType?: string): Source => {
  const parsed = parseSourceInput(
    { name: "acme", verifier, ...(eventType ? { event_type: eventType } : {}) },
    "create",
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return {
    name: "acme",
    verifier: parsed.input.verifier as Source["verifier"],
    eventType: parsed.input.eventType ?? undefined,
    description: "d",
    origin: "api",
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
};

describe("the source form's verifier", () => {
  test.each([
    [
      "stripe sends its tolerance, not hmac's header",
      { verifierType: "stripe", secrets: "whsec_a\n", tolerance: " 10m ", header: "X-Sig" },
      { type: "stripe", secrets: ["whsec_a"], tolerance: "10m" },
    ],
    [
      "hmac sends the settings that were filled in, the prefix as typed",
      { verifierType: "hmac", secrets: "a\r\nb", header: "X-Sig", algorithm: "", prefix: "v1 " },
      { type: "hmac", secrets: ["a", "b"], header: "X-Sig", prefix: "v1 " },
    ],
    [
      "basic sends its username",
      { verifierType: "basic", secrets: "pw", username: "alice", tolerance: "5m" },
      { type: "basic", secrets: ["pw"], username: "alice" },
    ],
    [
      "none sends nothing else",
      { verifierType: "none", secrets: "x", header: "h" },
      { type: "none" },
    ],
    [
      "no type is sent as typed, for the service to name",
      { secrets: "s" },
      { type: "", secrets: ["s"] },
    ],
  ])("%s", (_name, fields, expected) => {
    expect(verifierBody(form(fields))).toEqual(expected);
  });

  test.each([
    ["one\ntwo", ["one", "two"]],
    ["one\r\n\r\n  \ntwo\r", ["one", "two"]],
    [" spaced ", [" spaced "]],
    ["", []],
  ])("secrets typed as %j are %j (blank lines dropped, the rest as typed)", (typed, lines) => {
    expect(parseSecretLines(typed)).toEqual(lines);
  });

  test("what the create body says passes the service's own check", () => {
    const body = sourceCreateBody(
      form({
        name: " acme ",
        verifierType: "hmac",
        secrets: "k",
        header: "X-Sig",
        description: " ",
      }),
    );
    expect(body).toEqual({
      name: "acme",
      verifier: { type: "hmac", secrets: ["k"], header: "X-Sig" },
    });
    expect(parseSourceInput(body, "create").ok).toBe(true);
  });
});

describe("the source edit form", () => {
  const source = stored(
    { type: "stripe", secrets: ["whsec_one", "whsec_two"], tolerance: "2m" },
    "{{body.type}}",
  );

  test("starts from what is stored, without the secrets", () => {
    expect(sourceFormValues(source)).toEqual(
      form({
        name: "acme",
        verifierType: "stripe",
        tolerance: "2m",
        eventType: "{{body.type}}",
        description: "d",
      }),
    );
  });

  test("sends the stored secrets when none were typed, and the typed ones otherwise", () => {
    const values = sourceFormValues(source);
    expect(sourceUpdateBody(values, source)).toEqual({
      verifier: { type: "stripe", secrets: ["whsec_one", "whsec_two"], tolerance: "2m" },
      event_type: "{{body.type}}",
      description: "d",
    });
    expect(sourceUpdateBody({ ...values, secrets: "whsec_new" }, source).verifier).toMatchObject({
      secrets: ["whsec_new"],
    });
    expect(parseSourceInput(sourceUpdateBody(values, source), "update").ok).toBe(true);
  });

  test("an emptied template goes back to the provider's own field (null)", () => {
    expect(sourceUpdateBody(form({ verifierType: "stripe" }), source).event_type).toBeNull();
  });
});

describe("the service's problems beside the source form's fields", () => {
  test.each([
    ["name", "bad", "name", "bad"],
    ["verifier.type", "required", "verifier_type", "required"],
    ["verifier.secret", "required", "secrets", "required"],
    ["verifier.secrets[1]", "must not be empty", "secrets", "Secret 2: must not be empty"],
    ["verifier.header", "required", "header", "required"],
    ["verifier.timestamp_header", "must differ", "timestamp_header", "must differ"],
    ["event_type", "unknown placeholder", "event_type_template", "unknown placeholder"],
    ["extra", "unknown field", "form", "extra: unknown field"],
  ])("%s goes under %s", (field, message, formField, shown) => {
    expect(sourceProblemsByField([{ field, message }])).toEqual({ [formField]: [shown] });
  });
});

describe("the endpoint form's payload filter", () => {
  test.each([
    ["", null],
    ["  \n", null],
    ['{"type": "a"}', { type: "a" }],
    ["{}", {}],
  ])("%j reads as %j", (typed, filter) => {
    expect(readFilterText(typed)).toEqual({ ok: true, filter });
  });

  test("text that is not JSON is a problem of the filter field, and is not sent", () => {
    const values = { url: "https://x.example/", description: "", eventTypes: "", filter: "{" };
    expect(readFilterText("{").ok).toBe(false);
    expect(endpointFormProblems(values).map((p) => p.field)).toEqual(["filter"]);
    expect(endpointUpdateBody(values)).not.toHaveProperty("filter");
  });

  test("a form without the field leaves the stored filter alone; an emptied one removes it", () => {
    const values = { url: "https://x.example/", description: "", eventTypes: "" };
    expect(endpointUpdateBody(values)).not.toHaveProperty("filter");
    expect(endpointUpdateBody({ ...values, filter: "" })).toMatchObject({ filter: null });
  });

  test("problems inside the filter go under its field, naming their place", () => {
    expect(
      problemsByField([
        { field: "filter.data.amount.$gtt", message: "unknown operator" },
        { field: "filter.$or[1]", message: "must be an object" },
      ]),
    ).toEqual({
      filter: ["filter.data.amount.$gtt: unknown operator", "filter.$or[1]: must be an object"],
    });
  });
});

describe("judgeEvent", () => {
  const event = { type: "order.paid", payload: { amount: 5000 }, headers: { "x-topic": "paid" } };
  test.each([
    ["no filter", ["order.*"], null, true, "none", true],
    ["an empty filter", ["order.*"], {}, true, "none", true],
    ["a matching filter", ["order.*"], { amount: { $gte: 1000 } }, true, "matched", true],
    ["a header filter", ["*"], { "headers.x-topic": "paid" }, true, "matched", true],
    [
      "a filter that does not match",
      ["order.*"],
      { amount: { $lt: 10 } },
      true,
      "not-matched",
      false,
    ],
    ["another type", ["invoice.*"], { amount: 5000 }, false, "matched", false],
    ["an unreadable filter", ["order.*"], { amount: { $gtt: 1 } }, true, "unreadable", false],
  ] as const)("%s", (_name, types, filter, typeMatched, kind, taken) => {
    const verdict = judgeEvent(types, filter, event);
    expect(verdict).toMatchObject({ typeMatched, filter: { kind }, taken });
  });
});
