/**
 * The endpoint forms' pure side (create and edit): what the browser posted, turned into
 * the body the management API takes (`POST /endpoints`, `PATCH /endpoints/:id`), so both
 * go through the same checks in delivery/endpoints-service.ts; and the service's field
 * problems turned back into messages beside the form's own fields.
 */
import { WILDCARD } from "../../delivery/event-types.ts";
import type { FieldProblem } from "../../http/query.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import { prettyJson } from "../components/index.ts";

/** What the forms show: exactly what was typed, so a refused form keeps it. */
export interface EndpointFormValues {
  readonly url: string;
  readonly description: string;
  /** Comma-separated, as typed. */
  readonly eventTypes: string;
  /**
   * The payload filter's JSON as typed ("" for none). Absent when the form had no such
   * field (a form sent again from an error page): the stored filter is then left alone.
   */
  readonly filter?: string | undefined;
}

export const EMPTY_ENDPOINT_FORM: EndpointFormValues = { url: "", description: "", eventTypes: "" };

/** The form fields, named as the service names them, with the labels the form shows. */
export const FORM_FIELD_LABELS: Readonly<Record<string, string>> = {
  url: "URL",
  description: "Description",
  event_types: "Event types",
  filter: "Payload filter (JSON)",
};

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The form's values from a posted body; anything that is not a string counts as empty. */
export function readEndpointForm(body: unknown): EndpointFormValues {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  return {
    url: text(fields.url),
    description: text(fields.description),
    eventTypes: text(fields.event_types),
    filter: typeof fields.filter === "string" ? fields.filter : undefined,
  };
}

export type FilterText =
  | { readonly ok: true; readonly filter: unknown }
  | { readonly ok: false; readonly problem: FieldProblem };

/**
 * The filter typed into the form: empty is none (null), anything else must be JSON; what
 * the JSON says is the service's to check (parseFilter), so the API's rules apply.
 */
export function readFilterText(typed: string): FilterText {
  if (typed.trim() === "") return { ok: true, filter: null };
  try {
    return { ok: true, filter: JSON.parse(typed) };
  } catch (error) {
    const reason = error instanceof SyntaxError ? `: ${error.message}` : "";
    return {
      ok: false,
      problem: {
        field: "filter",
        message: `is not valid JSON${reason}. Write a JSON object such as {"data.amount": {"$gte": 100}}, or leave it empty for none.`,
      },
    };
  }
}

/** What is wrong with the form before the service sees it: a filter that is no JSON. */
export function endpointFormProblems(values: EndpointFormValues): FieldProblem[] {
  if (values.filter === undefined) return [];
  const read = readFilterText(values.filter);
  return read.ok ? [] : [read.problem];
}

/** The filter for the service's body: left out when absent or unreadable (see endpointFormProblems). */
function filterField(values: EndpointFormValues): { filter?: unknown } {
  if (values.filter === undefined) return {};
  const read = readFilterText(values.filter);
  return read.ok ? { filter: read.filter } : {};
}

/**
 * Filters typed as `github.*, task.update`: split on commas (and line breaks, for a
 * pasted list), trimmed, empty entries dropped. Whitespace inside an entry is kept, so
 * the service refuses `task update` rather than silently making it two filters.
 */
export function parseEventTypesText(typed: string): string[] {
  return typed
    .split(/[,\n\r]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/**
 * The JSON body for `createEndpoint`. Nothing typed in event types leaves them out, so the
 * service's default (every type) applies, as with the API.
 */
export function endpointCreateBody(values: EndpointFormValues): Record<string, unknown> {
  const eventTypes = parseEventTypesText(values.eventTypes);
  return {
    // A URL pasted with a space or line break around it is still the URL that was meant.
    url: values.url.trim(),
    description: values.description.trim(),
    ...(eventTypes.length === 0 ? {} : { event_types: eventTypes }),
    ...(values.filter === undefined || values.filter.trim() === "" ? {} : filterField(values)),
  };
}

/** What the edit form starts from: the endpoint as stored. */
export function endpointFormValues(endpoint: Endpoint): EndpointFormValues {
  return {
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes.join(", "),
    ...(endpoint.filter == null ? {} : { filter: prettyJson(endpoint.filter) }),
  };
}

/**
 * The JSON body for `updateEndpoint`: every field the form has, so what the form shows is
 * what is stored. Emptied event types mean every type, as they do when creating.
 */
export function endpointUpdateBody(values: EndpointFormValues): Record<string, unknown> {
  const eventTypes = parseEventTypesText(values.eventTypes);
  return {
    url: values.url.trim(),
    description: values.description.trim(),
    event_types: eventTypes.length === 0 ? [WILDCARD] : eventTypes,
    ...filterField(values),
  };
}

/** The form field a service problem belongs to: `filter.data.amount.$gtt` is the filter's. */
function formFieldOf(field: string): string {
  if (field.startsWith("filter.") || field.startsWith("filter[")) return "filter";
  return field in FORM_FIELD_LABELS ? field : "form";
}

/** Problems by form field; any the form has no field for are kept under `form`. */
export function problemsByField(
  problems: readonly FieldProblem[],
): Readonly<Record<string, readonly string[]>> {
  const grouped: Record<string, string[]> = {};
  for (const { field, message } of problems) {
    const key = formFieldOf(field);
    grouped[key] ??= [];
    grouped[key].push(field === key ? message : `${field}: ${message}`);
  }
  return grouped;
}

/** Whether a thrown error carries field problems in the service's shape. */
export function isFieldProblemList(details: readonly unknown[]): details is FieldProblem[] {
  return details.every(
    (detail) =>
      typeof detail === "object" &&
      detail !== null &&
      typeof (detail as FieldProblem).field === "string" &&
      typeof (detail as FieldProblem).message === "string",
  );
}

/** How an endpoint's filters read in a list: `[]` and `["*"]` both mean everything. */
export function describeEventTypes(eventTypes: readonly string[]): string {
  if (eventTypes.length === 0 || eventTypes.includes("*")) return "all types (*)";
  return eventTypes.join(", ");
}
