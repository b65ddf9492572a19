import { describe, expect, test } from "bun:test";
import {
  type EventTypeTemplate,
  parseEventTypeTemplate,
  renderEventType,
  sourcedEventType,
  type TemplatePart,
} from "../../../src/sources/event-type.ts";

function templateOf(text: string): EventTypeTemplate {
  const parsed = parseEventTypeTemplate(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  return parsed.template;
}

describe("parseEventTypeTemplate", () => {
  test.each<[string, TemplatePart[]]>([
    ["{{body.kind}}", [{ kind: "body", path: ["kind"] }]],
    ["{{ body.data.object.type }}", [{ kind: "body", path: ["data", "object", "type"] }]],
    [
      "order.{{header.X-Event}}",
      [
        { kind: "text", text: "order." },
        { kind: "header", name: "x-event" },
      ],
    ],
    [
      "{{body.resource}}.{{body.action}}",
      [
        { kind: "body", path: ["resource"] },
        { kind: "text", text: "." },
        { kind: "body", path: ["action"] },
      ],
    ],
    ["{{body.items.0.type}}", [{ kind: "body", path: ["items", "0", "type"] }]],
    ["deploy.finished", [{ kind: "text", text: "deploy.finished" }]],
  ])("%s parses", (text, parts) => {
    expect(parseEventTypeTemplate(text)).toEqual({ ok: true, template: { text, parts } });
  });

  test.each([
    ["", "must not be empty"],
    ["x".repeat(201), "must be at most 200 characters"],
    ["{{body.kind", 'a "{{" is never closed'],
    ["body.kind}}", 'a "}}" was never opened'],
    ["{body.kind}", 'braces belong in pairs around a field: "{{body.kind}}"'],
    ["{{}}", '{{}}: is empty; name a field such as "body.type"'],
    ["{{ }}", '{{ }}: is empty; name a field such as "body.type"'],
    ["{{kind}}", '{{kind}}: must start with "body." or "header."'],
    ["{{query.kind}}", '{{query.kind}}: must start with "body." or "header."'],
    ["{{body}}", '{{body}}: needs a field after "body."'],
    ["{{body..kind}}", "{{body..kind}}: has an empty segment between dots"],
    ["{{body.kind.}}", "{{body.kind.}}: has an empty segment between dots"],
    ["{{header.}}", '{{header.}}: needs a header name after "header."'],
    ["{{header.x event}}", '{{header.x event}}: needs a header name after "header."'],
    ["order created.{{body.kind}}", "must not contain whitespace, control characters or *"],
    ["order.*", "must not contain whitespace, control characters or *"],
  ])("%s is refused: %s", (text, message) => {
    expect(parseEventTypeTemplate(text)).toEqual({ ok: false, message });
  });
});

describe("renderEventType", () => {
  const headers = new Headers({ "X-Event": "paid", "X-Blank": " " });
  const payload = {
    kind: "order.created",
    data: { object: { type: "invoice" } },
    items: [{ type: "first" }],
    attempt: 3,
    empty: "",
    flag: true,
    nothing: null,
    nested: { list: ["a"] },
  };

  test.each<[string, string | undefined]>([
    ["{{body.kind}}", "order.created"],
    ["{{body.data.object.type}}", "invoice"],
    ["order.{{header.x-event}}", "order.paid"],
    ["order.{{header.X-EVENT}}", "order.paid"],
    ["{{body.items.0.type}}", "first"],
    ["retry.{{body.attempt}}", "retry.3"],
    ["deploy.finished", "deploy.finished"],
    ["{{body.missing}}", undefined],
    ["{{body.data.missing.type}}", undefined],
    ["{{body.empty}}", undefined],
    ["{{body.flag}}", undefined],
    ["{{body.nothing}}", undefined],
    ["{{body.data}}", undefined],
    ["{{body.items.1.type}}", undefined],
    ["{{body.kind.length}}", undefined],
    ["{{body.constructor}}", undefined],
    ["{{body.__proto__}}", undefined],
    ["order.{{header.x-missing}}", undefined],
    ["order.{{header.x-blank}}", undefined],
  ])("%s gives %s", (text, expected) => {
    expect(renderEventType(templateOf(text), { headers, payload })).toBe(expected);
  });

  test("a body that is not JSON has no fields", () => {
    expect(renderEventType(templateOf("{{body.kind}}"), { headers, payload: undefined })).toBe(
      undefined,
    );
  });

  test("a form body's fields are found by name", () => {
    const form = Object.fromEntries(new URLSearchParams("event=signup&user=7"));
    expect(renderEventType(templateOf("user.{{body.event}}"), { headers, payload: form })).toBe(
      "user.signup",
    );
  });
});

describe("sourcedEventType", () => {
  test.each<[string, string | undefined, string]>([
    ["a type", "customer.created", "stripe-live.customer.created"],
    ["no type", undefined, "stripe-live.unknown"],
    ["an empty type", "", "stripe-live.unknown"],
    ["only dots", "...", "stripe-live.unknown"],
    ["spaces", "order  created", "stripe-live.order_created"],
    ["a newline and a tab", "a\nb\tc", "stripe-live.a_b_c"],
    ["a wildcard", "order.*", "stripe-live.order._"],
    ["a right-to-left override", "evil\u202etxt", "stripe-live.evil_txt"],
    ["a zero-width space", "a\u200bb", "stripe-live.a_b"],
    ["dots at either end", ".orders.create.", "stripe-live.orders.create"],
    ["non-ASCII letters", "commande.créée", "stripe-live.commande.créée"],
  ])("%s", (_name, type, expected) => {
    expect(sourcedEventType("stripe-live", type)).toBe(expected);
  });

  test("cuts a long type so the whole is 200 characters", () => {
    const type = sourcedEventType("src", "x".repeat(500));
    expect(type).toBe(`src.${"x".repeat(196)}`);
    expect(type.length).toBe(200);
  });

  test("never cuts a character outside the BMP in half", () => {
    const type = sourcedEventType("src", `x${"😀".repeat(300)}`);
    expect(type).toBe(`src.x${"😀".repeat(97)}`);
    expect(type.length).toBe(199);
  });

  test("a cut that ends on a dot drops it", () => {
    expect(sourcedEventType("src", `${"x".repeat(195)}.y`)).toBe(`src.${"x".repeat(195)}`);
  });
});
