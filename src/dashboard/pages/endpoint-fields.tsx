/**
 * The endpoint forms' fields (URL, description, event types), shared by the create form on
 * the list and the edit form on an endpoint's page: the same labels, limits and hints,
 * each with the problems the service found in it underneath.
 */
import { attr } from "../components/index.ts";
import { type EndpointFormValues, FORM_FIELD_LABELS } from "./endpoint-form.ts";

export type FieldProblems = Readonly<Record<string, readonly string[]>>;

export interface EndpointFieldsProps {
  /** Prefix of the inputs' ids, unique on the page (`endpoint` → `endpoint-url`). */
  readonly idPrefix: string;
  readonly values: EndpointFormValues;
  readonly problems: FieldProblems;
}

export function EndpointFields({ idPrefix, values, problems }: EndpointFieldsProps): JSX.Element {
  const id = (name: string) => `${idPrefix}-${name}`;
  const invalid = (name: string) => (problems[name] ? "true" : undefined);
  const describedBy = (name: string) => (problems[name] ? `${id(name)}-problems` : undefined);
  return (
    <>
      <FormField
        id={id("url")}
        name="url"
        problems={problems.url}
        input={
          <input
            id={id("url")}
            name="url"
            type="url"
            required
            maxlength="2048"
            placeholder="https://example.com/webhooks"
            autocomplete="off"
            class="mono"
            value={attr(values.url)}
            aria-invalid={invalid("url")}
            aria-describedby={describedBy("url")}
          />
        }
      />
      <FormField
        id={id("description")}
        name="description"
        problems={problems.description}
        input={
          <input
            id={id("description")}
            name="description"
            maxlength="1000"
            autocomplete="off"
            value={attr(values.description)}
            aria-invalid={invalid("description")}
            aria-describedby={describedBy("description")}
          />
        }
      />
      <FormField
        id={id("event_types")}
        name="event_types"
        problems={problems.event_types}
        input={
          <input
            id={id("event_types")}
            name="event_types"
            placeholder="all; or github.*, task.update"
            autocomplete="off"
            class="mono"
            value={attr(values.eventTypes)}
            aria-invalid={invalid("event_types")}
            aria-describedby={describedBy("event_types")}
          />
        }
      />
    </>
  );
}

interface FormFieldProps {
  readonly id: string;
  readonly name: string;
  readonly input: JSX.Element;
  readonly problems: readonly string[] | undefined;
}

/** A labelled input with its problems under it, which the input names as its description. */
function FormField({ id, name, input, problems = [] }: FormFieldProps): JSX.Element {
  return (
    <div class="field">
      <label for={id} safe>
        {FORM_FIELD_LABELS[name] ?? name}
      </label>
      {input}
      {problems.length === 0 ? (
        ""
      ) : (
        <div id={`${id}-problems`}>
          {problems.map((message) => (
            <p class="note field-error" role="alert" safe>
              {message}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
