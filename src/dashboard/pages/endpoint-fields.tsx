/**
 * The endpoint forms' fields (URL, description, event types, payload filter), shared by
 * the create form on the list and the edit form on an endpoint's page: the same labels,
 * limits and hints, each with the problems the service found in it underneath.
 */
import { attr, type FieldProblems, FormField, fieldAria } from "../components/index.ts";
import { type EndpointFormValues, FORM_FIELD_LABELS } from "./endpoint-form.ts";

export type { FieldProblems };

export interface EndpointFieldsProps {
  /** Prefix of the inputs' ids, unique on the page (`endpoint` → `endpoint-url`). */
  readonly idPrefix: string;
  readonly values: EndpointFormValues;
  readonly problems: FieldProblems;
}

const FILTER_HINT =
  'Only events whose payload or headers match are delivered, e.g. {"data.object.amount": {"$gte": 1000}} or {"headers.x-shopify-topic": "orders/paid"}. Empty: every event of its types. The syntax is in docs/filters.md.';

export function EndpointFields({ idPrefix, values, problems }: EndpointFieldsProps): JSX.Element {
  const id = (name: string) => `${idPrefix}-${name}`;
  const field = (
    name: string,
    input: JSX.Element,
    extra: { hint?: string; wide?: boolean } = {},
  ) => (
    <FormField
      id={id(name)}
      label={FORM_FIELD_LABELS[name] ?? name}
      input={input}
      problems={problems[name]}
      hint={extra.hint}
      class={extra.wide ? "field-wide" : undefined}
    />
  );
  return (
    <>
      {field(
        "url",
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
          {...fieldAria(id("url"), problems.url)}
        />,
      )}
      {field(
        "description",
        <input
          id={id("description")}
          name="description"
          maxlength="1000"
          autocomplete="off"
          value={attr(values.description)}
          {...fieldAria(id("description"), problems.description)}
        />,
      )}
      {field(
        "event_types",
        <input
          id={id("event_types")}
          name="event_types"
          placeholder="all; or github.*, task.update"
          autocomplete="off"
          class="mono"
          value={attr(values.eventTypes)}
          {...fieldAria(id("event_types"), problems.event_types)}
        />,
      )}
      {field(
        "filter",
        <textarea
          id={id("filter")}
          name="filter"
          rows={textareaRows(values.filter ?? "")}
          spellcheck="false"
          class="mono"
          placeholder='{"type": "invoice.paid"}'
          {...fieldAria(id("filter"), problems.filter, true)}
          safe
        >
          {textareaText(values.filter ?? "")}
        </textarea>,
        { hint: FILTER_HINT, wide: true },
      )}
    </>
  );
}

/** Tall enough to show a pretty-printed filter whole, within reason. */
export function textareaRows(text: string): string {
  const lines = text.split("\n").length + 1;
  return String(Math.min(Math.max(lines, 4), 16));
}

/** HTML drops one newline right after `<textarea>`: add one so text that starts with one keeps it. */
export function textareaText(text: string): string {
  return text.startsWith("\n") ? `\n${text}` : text;
}
