/**
 * Endpoint payload filters: a JSON document (Convoy's syntax, see docs/filters.md) that an
 * event's payload and headers must match for the endpoint to receive it. Parse once when
 * the endpoint is written or loaded; match for each event, after the endpoint's event types.
 */
export { matchesFilter } from "./match.ts";
export type {
  FieldTarget,
  FieldTest,
  FilterNode,
  FilterProblem,
  FilterSubject,
  JsonValue,
  PayloadFilter,
} from "./model.ts";
export { FILTER_LIMITS } from "./model.ts";
export { parseFilter } from "./parse.ts";
