/**
 * The events hookyard relays to Svix: `{"id", "type", "project", ...}`, as the platform publishes
 * them. `project` becomes the Svix application uid, `type` the event type and `id` the event id,
 * so each must be a name Svix accepts (see svix-names.ts).
 */
import {
  SVIX_APP_ID_PREFIX,
  SVIX_MESSAGE_ID_PREFIX,
  svixNameProblem,
} from "../../relay/svix-names.ts";

/** The event as received, with the three fields the relay needs checked. Sent whole as the payload. */
export interface RelayEvent {
  readonly id: string;
  readonly type: string;
  readonly project: string;
  readonly [field: string]: unknown;
}

/** One thing wrong with an event, in the shape of the API's 422 `details`. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type RelayEventCheck =
  | { readonly ok: true; readonly event: RelayEvent }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * `id` is required: the relay dedupes on (project, event id) and Svix on the event id, so an
 * event without one could be neither deduplicated nor given a stable idempotency key.
 */
const RULES = [
  { field: "id", name: "event id", reservedPrefix: SVIX_MESSAGE_ID_PREFIX },
  { field: "type", name: "event type", reservedPrefix: undefined },
  { field: "project", name: "application uid", reservedPrefix: SVIX_APP_ID_PREFIX },
] as const;

import { isJsonObject } from "../../lib/json.ts";

export function checkRelayEvent(value: unknown): RelayEventCheck {
  if (!isJsonObject(value)) {
    return { ok: false, problems: [{ field: "body", message: "must be a JSON object" }] };
  }
  const problems: FieldProblem[] = [];
  for (const rule of RULES) {
    const message = fieldProblem(value[rule.field], rule.name, rule.reservedPrefix);
    if (message !== undefined) problems.push({ field: rule.field, message });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, event: value as RelayEvent };
}

function fieldProblem(
  value: unknown,
  name: string,
  reservedPrefix: string | undefined,
): string | undefined {
  if (value === undefined || value === null) return "is required";
  if (typeof value !== "string" || value === "") return "must be a non-empty string";
  const problem = svixNameProblem(value, reservedPrefix);
  return problem === undefined ? undefined : `must be a valid Svix ${name}: ${problem}`;
}

/** "type is required; project must be a string": one line for an error message or a reason. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((problem) => `${problem.field} ${problem.message}`).join("; ");
}
