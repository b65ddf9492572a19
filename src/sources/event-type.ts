/**
 * The event type a source gives what it stores. A source may set a template
 * (`{{body.kind}}`, `order.{{header.x-event}}`) for senders whose type sits in a field of
 * their own; otherwise its provider names the type. Either way the stored type is
 * `<source name>.<type>`, so endpoints can subscribe to one source with `<name>.*`.
 */
import { valueAt } from "./providers/request.ts";

export const MAX_TEMPLATE_LENGTH = 200;
/** What endpoint filters and the dashboard handle comfortably; longer types are cut. */
export const MAX_EVENT_TYPE_LENGTH = 200;
export const UNKNOWN_EVENT_TYPE = "unknown";

export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "body"; readonly path: readonly string[] }
  | { readonly kind: "header"; readonly name: string };

export interface EventTypeTemplate {
  /** The template as written, for display. */
  readonly text: string;
  readonly parts: readonly TemplatePart[];
}

export type ParsedTemplate =
  | { readonly ok: true; readonly template: EventTypeTemplate }
  | { readonly ok: false; readonly message: string };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Whitespace, control and format characters (bidi overrides, zero-width) and `*`. */
const NOT_IN_TYPES = /[\s\p{Cc}\p{Cf}*]+/gu;
const HAS_NOT_IN_TYPES = /[\s\p{Cc}\p{Cf}*]/u;

/**
 * Parses a template when a source is written, so a mistake is a 422 naming it rather
 * than every event arriving as `<name>.unknown`.
 */
export function parseEventTypeTemplate(text: string): ParsedTemplate {
  if (text === "") return fail("must not be empty");
  if (text.length > MAX_TEMPLATE_LENGTH) {
    return fail(`must be at most ${MAX_TEMPLATE_LENGTH} characters`);
  }
  const parts: TemplatePart[] = [];
  let end = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const literal = text.slice(end, match.index);
    const problem = checkLiteral(literal);
    if (problem !== undefined) return fail(problem);
    if (literal !== "") parts.push({ kind: "text", text: literal });
    const part = parsePlaceholder((match[1] as string).trim());
    if (typeof part === "string") return fail(`{{${match[1]}}}: ${part}`);
    parts.push(part);
    end = match.index + match[0].length;
  }
  const rest = text.slice(end);
  const problem = checkLiteral(rest);
  if (problem !== undefined) return fail(problem);
  if (rest !== "") parts.push({ kind: "text", text: rest });
  return { ok: true, template: { text, parts } };
}

function fail(message: string): ParsedTemplate {
  return { ok: false, message };
}

function checkLiteral(literal: string): string | undefined {
  if (literal.includes("{{")) return 'a "{{" is never closed';
  if (literal.includes("}}")) return 'a "}}" was never opened';
  if (/[{}]/.test(literal)) return 'braces belong in pairs around a field: "{{body.kind}}"';
  if (HAS_NOT_IN_TYPES.test(literal)) {
    return "must not contain whitespace, control characters or *";
  }
  return undefined;
}

/** One placeholder's part, or why it is unusable. */
function parsePlaceholder(reference: string): TemplatePart | string {
  if (reference === "") return 'is empty; name a field such as "body.type"';
  const [root, ...rest] = reference.split(".");
  if (root === "header") {
    const name = rest.join(".");
    if (!HEADER_NAME.test(name)) return 'needs a header name after "header."';
    return { kind: "header", name: name.toLowerCase() };
  }
  if (root === "body") {
    if (rest.length === 0) return 'needs a field after "body."';
    if (rest.some((segment) => segment === "")) return "has an empty segment between dots";
    return { kind: "body", path: rest };
  }
  return 'must start with "body." or "header."';
}

/**
 * The type a template gives one request, or `undefined` when a field it names is absent,
 * empty, or neither a string nor a number: such an event is stored as `<name>.unknown`
 * rather than under a half-filled type.
 */
export function renderEventType(
  template: EventTypeTemplate,
  request: { readonly headers: Headers; readonly payload: unknown },
): string | undefined {
  let type = "";
  for (const part of template.parts) {
    const value = partValue(part, request);
    if (value === undefined) return undefined;
    type += value;
  }
  return type;
}

function partValue(
  part: TemplatePart,
  request: { readonly headers: Headers; readonly payload: unknown },
): string | undefined {
  switch (part.kind) {
    case "text":
      return part.text;
    case "header":
      return request.headers.get(part.name)?.trim() || undefined;
    case "body": {
      const value = valueAt(request.payload, part.path);
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      return typeof value === "string" && value !== "" ? value : undefined;
    }
  }
}

/**
 * The stored type: `<source name>.<type>`, the type cleaned to what event types allow —
 * runs of whitespace, control and invisible characters and `*` (the filters' wildcard)
 * become `_`, stray dots at either end go — and cut so the whole is at most 200
 * characters. `<source name>.unknown` when there is no type.
 */
export function sourcedEventType(sourceName: string, type: string | undefined): string {
  const cleaned = (type ?? "").replace(NOT_IN_TYPES, "_").replace(/^\.+|\.+$/g, "");
  const room = MAX_EVENT_TYPE_LENGTH - sourceName.length - 1;
  // Whole characters only, so one outside the BMP (two UTF-16 units) is never split.
  let cut = "";
  for (const character of cleaned) {
    if (cut.length + character.length > room) break;
    cut += character;
  }
  cut = cut.replace(/\.+$/, "");
  return `${sourceName}.${cut === "" ? UNKNOWN_EVENT_TYPE : cut}`;
}
