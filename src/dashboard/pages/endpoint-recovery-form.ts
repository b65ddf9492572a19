/**
 * The recovery forms' pure side: the window a recover or a replay covers, typed into
 * `datetime-local` inputs (read as UTC, as every time on the dashboard is) or pasted as
 * RFC 3339, and the event type of a test. No I/O: the routes are in endpoint-recovery.tsx.
 */

import { HEALTH_WINDOW_MS } from "../../endpoint-health/service.ts";
import { parseRfc3339, parseTestBody } from "../../recovery/model.ts";
import type { TimeWindow } from "../../store/recovery.ts";

export type RecoveryKind = "recover" | "replay";

/** What the window form shows: exactly what was typed, so a refused form keeps it. */
export interface WindowFormValues {
  readonly since: string;
  readonly until: string;
}

export type WindowProblems = Readonly<Partial<Record<"since" | "until", string>>>;

export type WindowForm =
  | { readonly ok: true; readonly values: WindowFormValues; readonly window: TimeWindow }
  | { readonly ok: false; readonly values: WindowFormValues; readonly problems: WindowProblems };

/** `2026-11-22T10:00`, `…:00:30` or `…:00:30.250`: a datetime-local input's value. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** Whether a datetime-local input can hold this value (empty counts: it is left blank). */
export const isFormTimeShape = (value: string): boolean => value === "" || LOCAL_TIME.test(value);

const text = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

/** A time from the form, or undefined. Impossible dates (02-30, 25:00) are refused. */
export function parseFormTime(typed: string): Date | undefined {
  if (!LOCAL_TIME.test(typed)) return parseRfc3339(typed);
  const date = new Date(`${typed}Z`);
  // Date rolls 02-30 over into March: what comes back must be what was typed.
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 16) === typed.slice(0, 16) ? date : undefined;
}

/** A time as a datetime-local input shows it, to the minute, in UTC. */
export const toFormTime = (date: Date): string => date.toISOString().slice(0, 16);

/** The form's starting values: the last 24 hours, to the minute (rounded down). */
export function defaultWindowValues(now: Date): WindowFormValues {
  return { since: toFormTime(new Date(now.getTime() - HEALTH_WINDOW_MS)), until: "" };
}

const EXPECTED = "expected a UTC time such as 2026-11-22T10:00 (or RFC 3339)";

/** The window from a posted form, or each field's problem with the values kept. */
export function readWindowForm(body: unknown): WindowForm {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const values = { since: text(fields.since), until: text(fields.until) };
  const problems: Partial<Record<"since" | "until", string>> = {};
  const since = values.since === "" ? undefined : parseFormTime(values.since);
  const until = values.until === "" ? undefined : parseFormTime(values.until);
  if (values.since === "") problems.since = "required: the start of the window";
  else if (since === undefined) problems.since = EXPECTED;
  if (values.until !== "" && until === undefined) problems.until = EXPECTED;
  if (since && until && until.getTime() < since.getTime()) {
    problems.until = "must not be before since";
  }
  if (since === undefined || Object.keys(problems).length > 0) {
    return { ok: false, values, problems };
  }
  return { ok: true, values, window: until === undefined ? { since } : { since, until } };
}

/** Whether the form is the confirmation's second post, not the first that asks for a count. */
export const isConfirmed = (body: unknown): boolean =>
  typeof body === "object" && body !== null && (body as Record<string, unknown>).confirm === "1";

export type TestForm =
  | { readonly ok: true; readonly eventType: string }
  | { readonly ok: false; readonly typed: string; readonly problem: string };

/** A test's event type from its form, checked as POST /endpoints/:id/test checks it. */
export function readTestForm(body: unknown): TestForm {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const typed = text(fields.event_type);
  const parsed = parseTestBody(typed === "" ? {} : { event_type: typed });
  if (parsed.ok) return { ok: true, eventType: parsed.value.eventType };
  return { ok: false, typed, problem: parsed.problems.map((p) => p.message).join("; ") };
}
