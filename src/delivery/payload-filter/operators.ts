/** One field operator's operand, checked and turned into the test evaluation runs. */
import { nonJsonPart } from "./json.ts";
import { FIELD_OPERATORS, FILTER_LIMITS, type FieldTest, type JsonValue } from "./model.ts";

/** The test for `op` applied to `operand`, or why it cannot be one. */
export type OperatorParse =
  | { readonly ok: true; readonly test: FieldTest }
  | { readonly ok: false; readonly message: string };

const refuse = (message: string): OperatorParse => ({ ok: false, message });

export function parseOperator(op: string, operand: unknown): OperatorParse {
  switch (op) {
    case "$eq":
    case "$neq": {
      const problem = jsonProblem(operand);
      return problem ? refuse(problem) : { ok: true, test: { op, value: operand as JsonValue } };
    }
    case "$in":
    case "$nin":
      return parseList(op, operand);
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      if (
        typeof operand === "string" ||
        (typeof operand === "number" && Number.isFinite(operand))
      ) {
        return { ok: true, test: { op, bound: operand } };
      }
      return refuse(`${op} takes a number or a string, got ${kindOf(operand)}`);
    case "$exist":
      if (typeof operand === "boolean") return { ok: true, test: { op, present: operand } };
      return refuse(`$exist takes true or false, got ${kindOf(operand)}`);
    case "$regex":
      return parseRegex(operand);
    case "$and":
    case "$or":
      return refuse(
        `${op} combines filter documents and does not apply to one field: write ` +
          `{"${op}": [{"<full.path>": …}, …]} at the top of the filter or inside $and / $or`,
      );
    default:
      return refuse(unknownFieldOperator(op));
  }
}

export function unknownFieldOperator(op: string): string {
  const known = `unknown operator "${op}"; expected one of ${FIELD_OPERATORS.join(", ")}`;
  return op.startsWith("$.") ? `${known}. ${POSITIONAL_HINT}` : known;
}

/** Convoy's `$.` array positions, which hookyard's paths do without. */
export const POSITIONAL_HINT =
  'A path through an array already looks in every element ("items.sku"), ' +
  'and a number picks one element ("items.0.sku"): no "$." is needed';

function parseList(op: "$in" | "$nin", operand: unknown): OperatorParse {
  if (!Array.isArray(operand)) {
    return refuse(`${op} takes an array of values, such as ["a", "b"], got ${kindOf(operand)}`);
  }
  const problem = jsonProblem(operand);
  if (problem) return refuse(problem);
  return { ok: true, test: { op, values: operand as JsonValue[] } };
}

function parseRegex(operand: unknown): OperatorParse {
  if (typeof operand !== "string") {
    return refuse(`$regex takes a regular expression as a string, got ${kindOf(operand)}`);
  }
  if (operand.length > FILTER_LIMITS.maxRegexLength) {
    return refuse(
      `$regex is ${operand.length} characters; at most ${FILTER_LIMITS.maxRegexLength} are ` +
        "allowed, because it runs on every event the endpoint subscribes to",
    );
  }
  try {
    // The `u` flag: code points rather than UTF-16 halves, `\p{…}` classes, and a stricter
    // syntax that refuses now the typos (`\q`) the default mode would read as literals.
    return { ok: true, test: { op: "$regex", pattern: new RegExp(operand, "u") } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return refuse(`$regex is not a valid regular expression: ${reason}`);
  }
}

function jsonProblem(value: unknown): string | undefined {
  const where = nonJsonPart(value);
  if (where === undefined) return undefined;
  const inside = where === "" ? "" : ` (at ${where})`;
  return `must be JSON: a string, a finite number, true, false, null, an array or an object${inside}`;
}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isFinite(value) ? "a number" : String(value);
  if (typeof value === "boolean") return String(value);
  return typeof value;
}
