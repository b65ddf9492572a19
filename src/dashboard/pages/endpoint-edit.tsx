/**
 * The edit form on an endpoint's page: URL, event types, description and payload filter,
 * saved through the service the API's `PATCH /endpoints/:id` uses. Folded away until
 * opened, and open when a saved form came back with problems, showing what was typed and
 * what is wrong.
 */
import type { Endpoint } from "../../store/endpoints.ts";
import { CsrfField, Notice } from "../components/index.ts";
import { EndpointFields, type FieldProblems } from "./endpoint-fields.tsx";
import type { EndpointFormValues } from "./endpoint-form.ts";
import { endpointHref } from "./endpoint-list.tsx";

export interface EndpointEditProps {
  readonly endpoint: Endpoint;
  readonly csrfToken: string;
  /** The stored values, or what was typed into a form that was refused. */
  readonly values: EndpointFormValues;
  readonly problems: FieldProblems;
}

export const editAction = (endpoint: Pick<Endpoint, "id">): string =>
  `${endpointHref(endpoint.id)}/edit`;

export function EndpointEditForm({
  endpoint,
  csrfToken,
  values,
  problems,
}: EndpointEditProps): JSX.Element {
  const refused = Object.keys(problems).length > 0;
  return (
    <details class="panel" id="edit" open={refused}>
      <summary>Edit URL, event types and description, and the payload filter</summary>
      {refused ? (
        <Notice tone="bad" message="The endpoint was not saved: see the fields marked below." />
      ) : (
        ""
      )}
      {(problems.form ?? []).map((message) => (
        <Notice tone="bad" message={message} />
      ))}
      <form method="post" action={editAction(endpoint)} class="filters" aria-label="Edit endpoint">
        <CsrfField token={csrfToken} />
        <EndpointFields idPrefix="edit" values={values} problems={problems} />
        <div class="filter-actions">
          <button type="submit" class="btn">
            Save
          </button>
        </div>
      </form>
    </details>
  );
}
