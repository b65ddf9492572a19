/**
 * The body of `POST /webhooks/event`: an entity event from an app's backend. Two views of
 * the same rules: the Elysia schema (for the OpenAPI document) and `validateEntityEvent`,
 * which the route calls so a 422 can name every bad field with a reason a sender can act
 * on. The unit tests hold the two to the same verdicts.
 *
 * The route must not lean on the schema alone: with Elysia's default `normalize`, a
 * `t.Record` field is mirrored key by key before it is checked, so `"payload": "x"`
 * arrives as `{"0": "x"}` and passes (Elysia 1.4; pinned by a unit test).
 */
import { t } from "elysia";
import { isStorableDate } from "../../lib/dates.ts";
import { isJsonObject, type JsonObject } from "../../lib/json.ts";
import { MAX_ENTITY_ID_LENGTH } from "../../store/events.ts";

export const ENTITY_ACTIONS = ["create", "update", "delete"] as const;
export type EntityAction = (typeof ENTITY_ACTIONS)[number];

export const isEntityAction = (value: unknown): value is EntityAction =>
  (ENTITY_ACTIONS as readonly unknown[]).includes(value);

export const MAX_ENTITY_TYPE_LENGTH = 128;

/**
 * The entity type becomes the first segment of the event type `<entity_type>.<action>`,
 * which endpoints subscribe to by prefix (`task.*`). So no dot: `task.comment` would make
 * `task.*` subscribers receive comment events too. And not `github` or `hook`, whose
 * `github.*` / `hook.*` types hookyard emits itself: an entity sender must not be able
 * to reach subscribers of those.
 */
const RESERVED_ENTITY_TYPES = ["github", "hook", "hookyard"] as const;
const ENTITY_TYPE_CHARS = /^[A-Za-z0-9_-]+$/;
export const ENTITY_TYPE_PATTERN = `^(?!(?:${RESERVED_ENTITY_TYPES.join("|")})$)[A-Za-z0-9_-]+$`;

export const EntityEventBody = t.Object(
  {
    // A union of literals rather than t.UnionEnum, which adds `default: "create"`: a
    // missing action must be refused, not defaulted.
    action: t.Union(
      ENTITY_ACTIONS.map((action) => t.Literal(action)),
      { description: "what happened to the entity" },
    ),
    entity_type: t.String({
      minLength: 1,
      maxLength: MAX_ENTITY_TYPE_LENGTH,
      pattern: ENTITY_TYPE_PATTERN,
      description: "letters, digits, _ and -; the event type is <entity_type>.<action>",
      examples: ["task", "component", "asset_version"],
    }),
    time: t.String({
      format: "date-time",
      description: "when it happened at the sender, ISO-8601 with a timezone",
      examples: ["2021-12-20T10:59:55Z"],
    }),
    id: t.Optional(
      t.String({
        minLength: 1,
        maxLength: MAX_ENTITY_ID_LENGTH,
        description: "the entity id; required for update and delete, else payload.id",
      }),
    ),
    modified_fields: t.Optional(t.Array(t.String(), { description: "what an update changed" })),
    payload: t.Record(t.String(), t.Unknown(), {
      description: "the entity's fields (all of them on create, the changed ones on update)",
    }),
  },
  { additionalProperties: true },
);

/** A checked body; `validateEntityEvent` returns one with only these fields. */
export type EntityEventBody = typeof EntityEventBody.static;

export interface FieldProblem {
  /** The body field at fault: `action`, `time`, `payload`… (`body` when it is not an object). */
  readonly field: string;
  readonly message: string;
}

export type EntityEventValidation =
  | { readonly ok: true; readonly value: EntityEventBody }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** How a value looks in a message: short, and never the whole of a large value. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === "object") return "an object";
  return `${typeof value === "number" ? "the number " : ""}${String(value)}`;
}

/**
 * Every check the schema makes, without Elysia, reporting every bad field at once so a
 * sender fixes its payload in one round trip. Unknown top-level fields are ignored.
 */
export function validateEntityEvent(body: unknown): EntityEventValidation {
  if (!isJsonObject(body)) {
    return {
      ok: false,
      problems: [{ field: "body", message: `expected a JSON object, got ${describeValue(body)}` }],
    };
  }
  const problems: FieldProblem[] = [];
  const check = (field: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ field, message });
  };
  check("action", actionProblem(body.action));
  check("entity_type", entityTypeProblem(body.entity_type));
  check("time", timeProblem(body.time));
  check("id", idProblem(body.id));
  check("modified_fields", modifiedFieldsProblem(body.modified_fields));
  check("payload", payloadProblem(body.payload));
  if (problems.length > 0) return { ok: false, problems };

  const value: EntityEventBody = {
    action: body.action as EntityAction,
    entity_type: body.entity_type as string,
    time: body.time as string,
    ...(body.id === undefined ? {} : { id: body.id as string }),
    ...(body.modified_fields === undefined
      ? {}
      : { modified_fields: body.modified_fields as string[] }),
    payload: body.payload as JsonObject,
  };
  return { ok: true, value };
}

const missing = "required";

function actionProblem(action: unknown): string | undefined {
  if (action === undefined) return `${missing}: one of ${ENTITY_ACTIONS.join(", ")}`;
  if (isEntityAction(action)) return undefined;
  return `expected one of ${ENTITY_ACTIONS.join(", ")}, got ${describeValue(action)}`;
}

function entityTypeProblem(entityType: unknown): string | undefined {
  const expected = `a name of letters, digits, _ and - (at most ${MAX_ENTITY_TYPE_LENGTH}) such as "task"`;
  if (entityType === undefined) return `${missing}: ${expected}`;
  if (typeof entityType !== "string" || entityType === "") {
    return `expected ${expected}, got ${describeValue(entityType)}`;
  }
  if (entityType.length > MAX_ENTITY_TYPE_LENGTH) {
    return `at most ${MAX_ENTITY_TYPE_LENGTH} characters, got ${entityType.length}`;
  }
  if (!ENTITY_TYPE_CHARS.test(entityType)) {
    return `expected ${expected}, got ${describeValue(entityType)}: it becomes the event type <entity_type>.<action>`;
  }
  if ((RESERVED_ENTITY_TYPES as readonly string[]).includes(entityType)) {
    return `"${entityType}" is reserved for hookyard's own ${entityType}.* events`;
  }
  return undefined;
}

const TIME_EXAMPLE = "an ISO-8601 date-time such as 2021-12-20T10:59:55Z";

function timeProblem(time: unknown): string | undefined {
  if (time === undefined) return `${missing}: ${TIME_EXAMPLE}`;
  if (typeof time !== "string") return `expected ${TIME_EXAMPLE}, got ${describeValue(time)}`;
  const parsed = parseDateTime(time);
  return parsed.ok ? undefined : `expected ${TIME_EXAMPLE}; ${parsed.reason}`;
}

function idProblem(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== "string" || id === "") {
    return `expected a non-empty string (at most ${MAX_ENTITY_ID_LENGTH} characters), got ${describeValue(id)}`;
  }
  if (id.length > MAX_ENTITY_ID_LENGTH) {
    return `at most ${MAX_ENTITY_ID_LENGTH} characters, got ${id.length}`;
  }
  return undefined;
}

function modifiedFieldsProblem(fields: unknown): string | undefined {
  if (fields === undefined) return undefined;
  if (!Array.isArray(fields)) {
    return `expected an array of field names such as ["assignee"], got ${describeValue(fields)}`;
  }
  const bad = fields.flatMap((field, index) =>
    typeof field === "string" ? [] : [`[${index}] is ${describeValue(field)}`],
  );
  if (bad.length === 0) return undefined;
  return `expected an array of strings; ${bad.slice(0, 5).join(", ")}${bad.length > 5 ? ", …" : ""}`;
}

function payloadProblem(payload: unknown): string | undefined {
  if (payload === undefined) return `${missing}: an object with the entity's fields`;
  if (isJsonObject(payload)) return undefined;
  return `expected an object with the entity's fields, got ${describeValue(payload)}`;
}

// RFC 3339 (the schema's `date-time`) with ISO-8601's `±hh` and `±hhmm` offsets and a
// space or `T` between date and time, as Elysia's format check accepts. The timezone is
// required: without it the same text is a different instant on every server.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

export type DateTimeParse =
  | { readonly ok: true; readonly date: Date }
  | { readonly ok: false; readonly reason: string };

/**
 * A strict ISO-8601 date-time: the calendar must hold the date (no 2021-02-30) and a
 * timezone is required. Fractions beyond milliseconds are truncated. Leap seconds (:60)
 * are refused, as a `Date` cannot hold them.
 */
export function parseDateTime(text: string): DateTimeParse {
  const match = DATE_TIME.exec(text);
  const fail = (reason: string): DateTimeParse => ({ ok: false, reason });
  if (!match) {
    return fail(`got ${describeValue(text)}, which is not in the form YYYY-MM-DDThh:mm:ssZ`);
  }
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetH, offsetM] =
    match.map((part) => part ?? "");
  if (!zulu && !sign) {
    return fail(`got ${describeValue(text)} without a timezone; add Z or an offset like +02:00`);
  }
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12) return fail(`month ${month} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) return fail(`${year}-${month} has no day ${day}`);
  if (h > 23 || mi > 59 || s > 59) return fail(`${hour}:${minute}:${second} is not a time of day`);
  const oh = Number(offsetH || 0);
  const om = Number(offsetM || 0);
  if (oh > 23 || om > 59) return fail(`${sign}${offsetH}:${offsetM || "00"} is not an offset`);

  const millis = Number((fraction ?? "").padEnd(3, "0").slice(0, 3));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const utc = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, millis));
  utc.setUTCFullYear(y);
  const offsetMinutes = (sign === "-" ? -1 : 1) * (oh * 60 + om);
  const date = new Date(utc.getTime() - offsetMinutes * 60_000);
  if (!isStorableDate(date)) {
    return fail(`got ${describeValue(text)}, outside the years 0001-9999 in UTC`);
  }
  return { ok: true, date };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
