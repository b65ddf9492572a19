/**
 * A filter document → a PayloadFilter, or every problem in it, each with the path that
 * names it (`filter.data.amount.$gtt`) so that an API answer can point at it.
 *
 * As in Convoy, a nested object without `$` keys is a continuation of the path:
 * `{"data": {"amount": {"$gt": 5}}}` is `{"data.amount": {"$gt": 5}}`. An object whose
 * keys all start with `$` is a set of operators on the field; one mixing both is refused,
 * since it could mean either. `{}` under a field is equality with an empty object.
 */
import { isPlainObject, nonJsonPart } from "./json.ts";
import {
  FIELD_OPERATORS,
  FILTER_LIMITS,
  type FieldTarget,
  type FilterNode,
  type FilterProblem,
  type JsonValue,
  type PayloadFilter,
} from "./model.ts";
import { kindOf, POSITIONAL_HINT, parseOperator } from "./operators.ts";

const ROOT = "filter";
const HEADERS = "headers";

interface Parsing {
  readonly problems: FilterProblem[];
  conditions: number;
}

export function parseFilter(
  input: unknown,
): { ok: true; filter: PayloadFilter } | { ok: false; problems: FilterProblem[] } {
  // Bounds first, so that nothing below walks an unbounded (or cyclic) value.
  const tooLarge = sizeProblem(input);
  if (tooLarge) return { ok: false, problems: [tooLarge] };
  if (!isPlainObject(input)) {
    const message = `must be a JSON object such as {"type": "invoice.paid"} ({} matches every event), got ${kindOf(input)}`;
    return { ok: false, problems: [{ path: ROOT, message }] };
  }
  const parsing: Parsing = { problems: [], conditions: 0 };
  const filter = parseDocument(input, ROOT, parsing);
  if (parsing.conditions > FILTER_LIMITS.maxConditions) {
    parsing.problems.unshift({
      path: ROOT,
      message:
        `has ${parsing.conditions} conditions; at most ${FILTER_LIMITS.maxConditions} are allowed ` +
        "(each operator on a field and each document in $and / $or counts): " +
        "use $in for a list of values",
    });
  }
  return parsing.problems.length > 0
    ? { ok: false, problems: parsing.problems }
    : { ok: true, filter };
}

function sizeProblem(input: unknown): FilterProblem | undefined {
  const { maxDepth, maxJsonLength } = FILTER_LIMITS;
  if (deeperThan(input, maxDepth)) {
    return {
      path: ROOT,
      message:
        `nests objects and arrays more than ${maxDepth} levels deep: ` +
        'write nested fields as one dotted path ("data.object.amount")',
    };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    return { path: ROOT, message: "must be JSON" };
  }
  if (json !== undefined && json.length > maxJsonLength) {
    return {
      path: ROOT,
      message: `is ${json.length} characters of JSON; at most ${maxJsonLength} are allowed`,
    };
  }
  return undefined;
}

/** Stops `levels` deep, so a cycle or a very deep value costs no more than the limit. */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levels === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => deeperThan(child, levels - 1));
}

/** A document: the top of the filter, or one entry of `$and` / `$or`. Its keys all hold. */
function parseDocument(
  document: Record<string, unknown>,
  at: string,
  parsing: Parsing,
): FilterNode {
  const branches: FilterNode[] = [];
  for (const [key, value] of Object.entries(document)) {
    const where = `${at}.${key}`;
    if (key.startsWith("$")) {
      const node = parseLogical(key, value, where, parsing);
      if (node) branches.push(node);
    } else {
      parseField([], key, value, where, parsing, branches);
    }
  }
  return branches.length === 1 ? (branches[0] as FilterNode) : { kind: "all", of: branches };
}

function parseLogical(
  key: string,
  value: unknown,
  where: string,
  parsing: Parsing,
): FilterNode | undefined {
  if (key !== "$and" && key !== "$or") {
    parsing.problems.push({ path: where, message: unknownDocumentOperator(key) });
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    parsing.problems.push({
      path: where,
      message: `${key} takes a non-empty array of filter documents, such as [{"type": "a"}, {"type": "b"}], got ${kindOf(value)}`,
    });
    return undefined;
  }
  const branches: FilterNode[] = [];
  for (const [index, entry] of value.entries()) {
    parsing.conditions += 1;
    const entryAt = `${where}[${index}]`;
    if (isPlainObject(entry)) {
      branches.push(parseDocument(entry, entryAt, parsing));
    } else {
      parsing.problems.push({
        path: entryAt,
        message: `must be a filter document (a JSON object), got ${kindOf(entry)}`,
      });
    }
  }
  return { kind: key === "$and" ? "all" : "any", of: branches };
}

function unknownDocumentOperator(key: string): string {
  if ((FIELD_OPERATORS as readonly string[]).includes(key)) {
    return `${key} applies to a field: write {"<path>": {"${key}": …}}`;
  }
  const unknown = `unknown operator "${key}"; expected $and, $or or a field path`;
  return key.startsWith("$.") ? `${unknown}. ${POSITIONAL_HINT}` : unknown;
}

/** `key: value` under the path `prefix`: conditions on one field, or more path below it. */
function parseField(
  prefix: readonly string[],
  key: string,
  value: unknown,
  where: string,
  parsing: Parsing,
  out: FilterNode[],
): void {
  const segments = pathSegments(key);
  if (typeof segments === "string") {
    parsing.problems.push({ path: where, message: segments });
    return;
  }
  const path = [...prefix, ...segments];
  const keys = isPlainObject(value) ? Object.keys(value) : [];
  const operators = keys.filter((name) => name.startsWith("$"));
  if (isPlainObject(value) && keys.length > 0 && operators.length === 0) {
    for (const [name, inner] of Object.entries(value)) {
      parseField(path, name, inner, `${where}.${name}`, parsing, out);
    }
    return;
  }
  if (operators.length > 0 && operators.length < keys.length) {
    const fields = keys.filter((name) => !name.startsWith("$"));
    parsing.problems.push({
      path: where,
      message:
        `mixes operators (${operators.join(", ")}) with fields (${fields.join(", ")}): ` +
        "give each field its own key",
    });
    return;
  }
  const target = targetOf(path);
  if (typeof target === "string") {
    parsing.problems.push({ path: where, message: target });
    return;
  }
  if (operators.length === 0) {
    // A bare value: equality, as `{"$eq": value}`.
    const outside = nonJsonPart(value);
    if (outside !== undefined) {
      parsing.problems.push({ path: `${where}${outside}`, message: "must be JSON" });
      return;
    }
    parsing.conditions += 1;
    out.push({ kind: "field", target, test: { op: "$eq", value: value as JsonValue } });
    return;
  }
  for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
    const parsed = parseOperator(op, operand);
    parsing.conditions += 1;
    if (parsed.ok) out.push({ kind: "field", target, test: parsed.test });
    else parsing.problems.push({ path: `${where}.${op}`, message: parsed.message });
  }
}

/** `"data.object.amount"` → its segments, or why it is not a path. */
function pathSegments(key: string): string[] | string {
  if (key === "") return 'is an empty path: name a field, such as "data.object.id"';
  const segments = key.split(".");
  if (segments.includes("")) {
    return `"${key}" has an empty segment: join field names with single dots ("data.object.id")`;
  }
  const operator = segments.find((segment) => segment.startsWith("$"));
  if (operator !== undefined) {
    return `"${operator}" in a path is not a field name. ${POSITIONAL_HINT}`;
  }
  return segments;
}

function targetOf(path: readonly string[]): FieldTarget | string {
  if (path[0] !== HEADERS) return { from: "payload", path };
  if (path.length === 1) {
    return 'a header condition needs the header\'s name: "headers.<name>", such as "headers.x-github-event"';
  }
  // Header names are case-insensitive (RFC 9110 §5.1); subjects carry them in lower case.
  return { from: "header", name: path.slice(1).join(".").toLowerCase() };
}
