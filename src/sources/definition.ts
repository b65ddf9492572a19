/**
 * A source as hookyard runs it: its name, its verifier and its event type template, each
 * read and checked. Pure: the API's bodies, the TOML file's tables and the stored rows all
 * become a Source here, and whatever cannot is a list of problems naming each field.
 */
import type { FieldProblem } from "../http/query.ts";
import { EVENT_SOURCES } from "../store/events.ts";
import { SOURCE_NAME, type SourceRecord } from "../store/sources.ts";
import { type EventTypeTemplate, parseEventTypeTemplate } from "./event-type.ts";
import { parseVerifier, type VerifierConfig } from "./providers/index.ts";

export const MAX_DESCRIPTION_LENGTH = 1000;

/** Where a source was declared: through the API (stored), or in the TOML file (read-only). */
export type SourceOrigin = "api" | "config";

export interface Source {
  readonly name: string;
  readonly verifier: VerifierConfig;
  /** undefined: the provider's own field names the type. */
  readonly eventType: EventTypeTemplate | undefined;
  readonly description: string;
  readonly origin: SourceOrigin;
  /** Null for a source of the config file. */
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

/** The checked fields of a body; absent ones stay absent (a PATCH). */
export interface SourceInput {
  readonly name?: string;
  readonly verifier?: VerifierConfig;
  /** null: back to the provider's own field. */
  readonly eventType?: EventTypeTemplate | null;
  readonly description?: string;
}

export type ParsedSourceInput =
  | { readonly ok: true; readonly input: SourceInput }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const FIELDS = ["name", "verifier", "event_type", "description"] as const;

/** Why a name cannot be a source's, or undefined when it can. */
export function sourceNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "must be a string";
  if (!SOURCE_NAME.test(name)) {
    return "must be 1-63 characters of a-z, 0-9, - and _, starting with a letter (it is the URL /in/<name> and the first part of its event types)";
  }
  if ((EVENT_SOURCES as readonly string[]).includes(name)) {
    return `"${name}" is a built-in source's; choose another`;
  }
  return undefined;
}

/**
 * Checks a POST (`name` and `verifier` required) or PATCH body (`name` refused: it is the
 * URL senders were given). Unknown fields are refused, so a misspelt one is not ignored.
 */
export function parseSourceInput(body: unknown, mode: "create" | "update"): ParsedSourceInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problems: [{ field: "body", message: "expected a JSON object" }] };
  }
  const fields = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const field of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(field)) {
      problems.push({ field, message: `unknown field; expected ${FIELDS.join(", ")}` });
    }
  }
  const input: { -readonly [K in keyof SourceInput]: SourceInput[K] } = {};

  if (mode === "update" && fields.name !== undefined) {
    problems.push({
      field: "name",
      message: "cannot be changed: senders were given /in/<name>; create a new source instead",
    });
  } else if (mode === "create") {
    const problem = fields.name === undefined ? "required" : sourceNameProblem(fields.name);
    if (problem) problems.push({ field: "name", message: problem });
    else input.name = fields.name as string;
  }

  if (fields.verifier === undefined) {
    if (mode === "create") {
      problems.push({
        field: "verifier",
        message:
          'required, e.g. {"type": "stripe", "secret": "whsec_…"}; {"type": "none"} checks nothing',
      });
    }
  } else {
    const verifier = parseVerifier(fields.verifier);
    if (verifier.ok) input.verifier = verifier.config;
    else problems.push(...verifier.problems);
  }

  const eventType = fields.event_type;
  if (eventType === null) input.eventType = null;
  else if (eventType !== undefined) {
    const template =
      typeof eventType === "string"
        ? parseEventTypeTemplate(eventType)
        : { ok: false as const, message: "must be a string such as {{body.type}}, or null" };
    if (template.ok) input.eventType = template.template;
    else problems.push({ field: "event_type", message: template.message });
  }

  const description = fields.description;
  if (description !== undefined) {
    if (typeof description !== "string") {
      problems.push({ field: "description", message: "must be a string" });
    } else if (description.length > MAX_DESCRIPTION_LENGTH) {
      problems.push({
        field: "description",
        message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
      });
    } else input.description = description;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, input };
}

/**
 * A stored row as a Source; the problems when it no longer reads (changed by hand, or
 * written by a later version), so that it is refused rather than half-trusted.
 */
export function sourceOfRecord(
  record: SourceRecord,
): { ok: true; source: Source } | { ok: false; problems: readonly FieldProblem[] } {
  const parsed = parseSourceInput(
    {
      name: record.name,
      verifier: record.verifier,
      event_type: record.eventType,
      description: record.description,
    },
    "create",
  );
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    source: {
      name: record.name,
      verifier: parsed.input.verifier as VerifierConfig,
      eventType: parsed.input.eventType ?? undefined,
      description: record.description,
      origin: "api",
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    },
  };
}
