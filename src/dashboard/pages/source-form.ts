/**
 * The source forms' pure side (create and edit): what the browser posted, turned into the
 * body `POST /sources` and `PATCH /sources/:name` take, so both go through the checks of
 * ../../sources/service.ts; the stored source turned into what the edit form shows; and
 * the service's field problems turned back into messages beside the form's fields.
 *
 * The verifier's own fields are plain inputs; only those the chosen type takes, and only
 * when filled in, are sent, so the service's defaults apply to the rest.
 */
import type { FieldProblem } from "../../http/query.ts";
import type { Source } from "../../sources/definition.ts";
import { VERIFIER_TYPES, type VerifierType } from "../../sources/providers/index.ts";
import type { FieldProblems } from "../components/index.ts";

/** What the forms show: exactly what was typed, so a refused form keeps it. */
export interface SourceFormValues {
  readonly name: string;
  /** A VerifierType, or what was sent when it is none. */
  readonly verifierType: string;
  /** One a line, as typed. On the edit form, empty keeps the stored ones. */
  readonly secrets: string;
  readonly header: string;
  readonly algorithm: string;
  readonly encoding: string;
  readonly prefix: string;
  readonly timestampHeader: string;
  readonly tolerance: string;
  readonly username: string;
  readonly eventType: string;
  readonly description: string;
}

export const EMPTY_SOURCE_FORM: SourceFormValues = {
  name: "",
  verifierType: "",
  secrets: "",
  header: "",
  algorithm: "",
  encoding: "",
  prefix: "",
  timestampHeader: "",
  tolerance: "",
  username: "",
  eventType: "",
  description: "",
};

export const VERIFIER_LABELS: Readonly<Record<VerifierType, string>> = {
  stripe: "Stripe",
  shopify: "Shopify",
  slack: "Slack",
  github: "GitHub",
  "standard-webhooks": "Standard Webhooks (Svix and others)",
  hmac: "HMAC signature in a header (any sender)",
  basic: "HTTP Basic auth",
  "api-key": "API key in a header",
  none: "None: anyone with the URL may post",
};

export const VERIFIER_OPTIONS = VERIFIER_TYPES.map((value) => ({
  value,
  label: VERIFIER_LABELS[value],
}));

/** The types that take secrets: every one but `none`. */
export const TYPES_WITH_SECRETS: readonly VerifierType[] = VERIFIER_TYPES.filter(
  (type) => type !== "none",
);

/** The verifier's own inputs: each one's name in the form and in the verifier, and its types. */
export const VERIFIER_FIELDS = [
  { name: "header", key: "header", types: ["hmac", "api-key"] },
  { name: "algorithm", key: "algorithm", types: ["hmac"] },
  { name: "encoding", key: "encoding", types: ["hmac"] },
  { name: "prefix", key: "prefix", types: ["hmac"] },
  { name: "timestamp_header", key: "timestampHeader", types: ["hmac"] },
  { name: "tolerance", key: "tolerance", types: ["hmac", "stripe", "slack", "standard-webhooks"] },
  { name: "username", key: "username", types: ["basic"] },
] as const satisfies readonly {
  name: string;
  key: keyof SourceFormValues;
  types: readonly VerifierType[];
}[];

export type VerifierFieldName = (typeof VERIFIER_FIELDS)[number]["name"];

/** The form's fields, named as they are posted, with the labels the form shows. */
export const SOURCE_FIELD_LABELS: Readonly<Record<string, string>> = {
  name: "Name",
  verifier_type: "Verifier",
  secrets: "Secrets, one a line",
  header: "Header",
  algorithm: "Algorithm",
  encoding: "Encoding",
  prefix: "Prefix",
  timestamp_header: "Timestamp header",
  tolerance: "Tolerance",
  username: "Username",
  event_type_template: "Event type template",
  description: "Description",
};

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The form's values from a posted body; anything that is not a string counts as empty. */
export function readSourceForm(body: unknown): SourceFormValues {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  return {
    name: text(fields.name),
    verifierType: text(fields.verifier_type),
    secrets: text(fields.secrets),
    header: text(fields.header),
    algorithm: text(fields.algorithm),
    encoding: text(fields.encoding),
    prefix: text(fields.prefix),
    timestampHeader: text(fields.timestamp_header),
    tolerance: text(fields.tolerance),
    username: text(fields.username),
    eventType: text(fields.event_type_template),
    description: text(fields.description),
  };
}

/**
 * Secrets typed one a line. Lines are kept as typed (but the line break), so the service
 * refuses a secret with a space around it rather than the form silently trimming it.
 */
export function parseSecretLines(typed: string): string[] {
  return typed.split(/\r?\n|\r/).filter((line) => line.trim() !== "");
}

/**
 * The verifier object: the type, the secrets (or `keptSecrets` when none were typed), and
 * each of the type's own fields that was filled in. A prefix is kept as typed (`"v1 "`
 * may end in a space); the other fields are trimmed.
 */
export function verifierBody(
  values: SourceFormValues,
  keptSecrets: readonly string[] = [],
): Record<string, unknown> {
  const type = values.verifierType.trim();
  const body: Record<string, unknown> = { type };
  if (type === "none") return body;
  const typed = parseSecretLines(values.secrets);
  const secrets = typed.length > 0 ? typed : keptSecrets;
  if (secrets.length > 0) body.secrets = [...secrets];
  for (const field of VERIFIER_FIELDS) {
    if (!(field.types as readonly string[]).includes(type)) continue;
    const raw = values[field.key];
    const value = field.name === "prefix" ? raw : raw.trim();
    if (value !== "") body[field.name] = value;
  }
  return body;
}

/** The JSON body for `createSource`: an empty template or description is left out. */
export function sourceCreateBody(values: SourceFormValues): Record<string, unknown> {
  const eventType = values.eventType.trim();
  const description = values.description.trim();
  return {
    // A name pasted with a space around it is still the name that was meant.
    name: values.name.trim(),
    verifier: verifierBody(values),
    ...(eventType === "" ? {} : { event_type: eventType }),
    ...(description === "" ? {} : { description }),
  };
}

/**
 * The JSON body for `updateSource`: the whole verifier (the service takes it whole), with
 * the stored secrets when none were typed; an emptied template goes back to the
 * provider's own field.
 */
export function sourceUpdateBody(
  values: SourceFormValues,
  stored: Pick<Source, "verifier">,
): Record<string, unknown> {
  const eventType = values.eventType.trim();
  const kept = "secrets" in stored.verifier ? stored.verifier.secrets : [];
  return {
    verifier: verifierBody(values, kept),
    event_type: eventType === "" ? null : eventType,
    description: values.description.trim(),
  };
}

/** What the edit form starts from: the source as stored, its secrets left out. */
export function sourceFormValues(source: Source): SourceFormValues {
  const stored = source.verifier as unknown as Readonly<Record<string, unknown>>;
  const field = (name: string) =>
    typeof stored[name] === "string" ? (stored[name] as string) : "";
  return {
    ...EMPTY_SOURCE_FORM,
    name: source.name,
    verifierType: source.verifier.type,
    header: field("header"),
    algorithm: field("algorithm"),
    encoding: field("encoding"),
    prefix: field("prefix"),
    timestampHeader: field("timestamp_header"),
    tolerance: field("tolerance"),
    username: field("username"),
    eventType: source.eventType?.text ?? "",
    description: source.description,
  };
}

/** The form field a service problem belongs to, and its message as that field shows it. */
function placeOf(problem: FieldProblem): { field: string; message: string } {
  const { field, message } = problem;
  if (field === "name" || field === "description") return { field, message };
  if (field === "event_type") return { field: "event_type_template", message };
  if (field === "verifier" || field === "verifier.type") return { field: "verifier_type", message };
  if (field === "verifier.secret" || field === "verifier.secrets") {
    return { field: "secrets", message };
  }
  const line = /^verifier\.secrets\[(\d+)\]$/.exec(field)?.[1];
  if (line !== undefined)
    return { field: "secrets", message: `Secret ${Number(line) + 1}: ${message}` };
  const own = field.startsWith("verifier.") ? field.slice("verifier.".length) : "";
  if (VERIFIER_FIELDS.some((f) => f.name === own)) return { field: own, message };
  return { field: "form", message: `${field}: ${message}` };
}

/** Problems by form field; any the form has no field for are kept under `form`. */
export function sourceProblemsByField(problems: readonly FieldProblem[]): FieldProblems {
  const grouped: Record<string, string[]> = {};
  for (const problem of problems) {
    const { field, message } = placeOf(problem);
    grouped[field] ??= [];
    grouped[field].push(message);
  }
  return grouped;
}
