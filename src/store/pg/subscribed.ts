/**
 * Whether an endpoint takes an event type, in SQL, by the rules of matchesEventType
 * (../../delivery/event-types.ts): the store contract tests hold the two to the same cases.
 */
import { OPERATIONAL_PREFIX } from "../../delivery/event-types.ts";

/**
 * A condition over `endpoint`'s `event_types` (jsonb) and the text expression `type`:
 * `*` or no filters take every type but hookyard's own, `github.*` a prefix (dot kept),
 * anything else the exact type.
 */
export function subscribedSql(endpoint: string, type: string): string {
  const ordinary = `not starts_with(${type}, '${OPERATIONAL_PREFIX}')`;
  return `((jsonb_array_length(${endpoint}.event_types) = 0 and ${ordinary}) or exists (
        select 1 from jsonb_array_elements_text(${endpoint}.event_types) as filter(pattern)
        where (pattern = '*' and ${ordinary}) or pattern = ${type}
           or (right(pattern, 2) = '.*' and starts_with(${type}, left(pattern, -1)))))`;
}
