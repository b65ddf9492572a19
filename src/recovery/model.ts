/**
 * What the recovery routes take and answer: the window of a recover or replay, a test's
 * event type, and their JSON shapes with the OpenAPI schemas. Bodies are checked here,
 * without I/O, so that one 422 names every bad field.
 */
import { t } from "elysia";
import { isOperationalEventType, OPERATIONAL_PREFIX } from "../delivery/event-types.ts";
import type { FieldProblem } from "../http/query.ts";
import { parseTimestamp } from "../http/query.ts";
import { TEST_EVENT_TYPE, type TimeWindow } from "../store/recovery.ts";

/** The event types a test may send: what POST /trigger/:event_type accepts. */
const EVENT_TYPE = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * RFC 3339's date-time: a full date, a full time and an offset, `T`/`Z` in either case (or a
 * space for `T`, as RFC 3339 allows). What ISO-8601 also allows (a date alone, a time
 * without offset, which would be read in the server's zone) is refused.
 */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** A time in RFC 3339, or undefined. Impossible dates (02-30, 25:00) are refused too. */
export function parseRfc3339(value: string): Date | undefined {
  if (!RFC_3339.test(value)) return undefined;
  return parseTimestamp(`${value.slice(0, 10)}T${value.slice(11)}`.toUpperCase());
}

/** The body of a recover or a replay: `{"since", "until"?}`. */
export function parseWindow(body: unknown): Parsed<TimeWindow> {
  const fields = objectOf(body ?? {});
  if (fields === undefined) return refused("body", "expected a JSON object");
  const problems = unknownFields(fields, ["since", "until"]);
  const since = timeField(fields, "since", problems);
  const until = timeField(fields, "until", problems);
  if (fields.since === undefined) problems.push({ field: "since", message: "required" });
  if (since && until && until.getTime() < since.getTime()) {
    problems.push({ field: "until", message: "must not be before since" });
  }
  if (problems.length > 0 || since === undefined) return { ok: false, problems };
  return { ok: true, value: until === undefined ? { since } : { since, until } };
}

/** The body of a test: `{"event_type"?}`; no body is the default type. */
export function parseTestBody(body: unknown): Parsed<{ readonly eventType: string }> {
  const fields = objectOf(body ?? {});
  if (fields === undefined) return refused("body", "expected a JSON object");
  const problems = unknownFields(fields, ["event_type"]);
  const type = fields.event_type ?? TEST_EVENT_TYPE;
  if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
    problems.push({ field: "event_type", message: "1-128 letters, digits, _, . or -" });
  } else if (isOperationalEventType(type) && type !== TEST_EVENT_TYPE) {
    // Receivers trust hookyard.* events to be hookyard's news, as POST /trigger keeps them.
    problems.push({
      field: "event_type",
      message: `"${OPERATIONAL_PREFIX}" types other than ${TEST_EVENT_TYPE} are hookyard's own`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { eventType: type as string } };
}

/** `?dry_run=true|false`; anything else is a problem. */
export function parseDryRun(value: string | undefined): Parsed<boolean> {
  if (value === undefined || value === "" || value === "false") return { ok: true, value: false };
  if (value === "true") return { ok: true, value: true };
  return refused("dry_run", `expected true or false, got "${value.slice(0, 64)}"`);
}

function objectOf(body: unknown): Record<string, unknown> | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** A misspelt `untill` silently ignored would recover far more than asked. */
function unknownFields(fields: Record<string, unknown>, known: readonly string[]): FieldProblem[] {
  return Object.keys(fields)
    .filter((name) => !known.includes(name))
    .map((name) => ({ field: name, message: `unknown field; expected ${known.join(", ")}` }));
}

function timeField(
  fields: Record<string, unknown>,
  name: string,
  problems: FieldProblem[],
): Date | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  const date = typeof value === "string" ? parseRfc3339(value) : undefined;
  if (date === undefined) {
    problems.push({
      field: name,
      message: "expected an RFC 3339 time such as 2026-11-22T10:00:00Z",
    });
  }
  return date;
}

function refused(field: string, message: string): { ok: false; problems: FieldProblem[] } {
  return { ok: false, problems: [{ field, message }] };
}

// --- JSON shapes, for the OpenAPI document --------------------------------------------

export const WindowBody = t.Object({
  since: t.String({
    format: "date-time",
    description:
      "RFC 3339; recover: deliveries created at or after it; replay: events received at or after it",
    examples: ["2026-11-22T10:00:00Z"],
  }),
  until: t.Optional(
    t.String({
      format: "date-time",
      description: "RFC 3339, at or after since; no upper bound when absent",
    }),
  ),
});

export const TestBody = t.Object({
  event_type: t.Optional(
    t.String({ description: `default ${TEST_EVENT_TYPE}`, examples: [TEST_EVENT_TYPE] }),
  ),
});

export const DryRunQuery = t.Object({
  dry_run: t.Optional(
    t.String({ description: "true: answer 200 {would_queue} and change nothing" }),
  ),
});

export const QueuedResponse = t.Object({
  queued: t.Integer({ description: "deliveries queued, due now" }),
});

export const WouldQueueResponse = t.Object({
  would_queue: t.Integer({ description: "what the call without dry_run would queue now" }),
});

export const ResendResponse = t.Object({
  deliveries: t.Integer({
    description: "new deliveries queued, one per matching enabled endpoint",
  }),
});

export const TestResponse = t.Object({
  event_id: t.String({ description: "the stored test event" }),
  delivery_id: t.String({ description: "its delivery, with this one attempt" }),
  delivered: t.Boolean({ description: "a 2xx came back within DELIVERY_TIMEOUT" }),
  status: t.Nullable(t.Integer({ description: "the response status; null when none came" })),
  duration_ms: t.Integer(),
  error: t.Nullable(t.String({ description: "why it failed, e.g. HTTP 503, connection refused" })),
  response_body: t.Nullable(t.String({ description: "the first 4 KB of the response" })),
});

export type TestJson = typeof TestResponse.static;
