/**
 * A GET form of filters that shows the values currently applied. Submitting it starts
 * from the first page (the cursor is not a field), and "Clear" returns to the bare list.
 */
import { attr } from "./markup.ts";
import { type QueryValues, queryValue } from "./query.ts";

interface FieldBase {
  /** The query parameter, e.g. `source`. */
  readonly name: string;
  /** The visible label (escaped). */
  readonly label: string;
}

export interface TextField extends FieldBase {
  readonly kind?: "text";
  readonly placeholder?: string;
  /** `search` for free text, `datetime-local`/`date` for time bounds. Default `text`. */
  readonly inputType?: "text" | "search" | "date" | "datetime-local";
  /** Monospace input, for ids. */
  readonly mono?: boolean;
}

export interface SelectField extends FieldBase {
  readonly kind: "select";
  readonly options: readonly { readonly value: string; readonly label: string }[];
  /** The label of the empty choice that means "no filter". Default `Any`. */
  readonly anyLabel?: string;
}

export type FilterField = TextField | SelectField;

export interface FilterFormProps {
  /** Where the form submits (GET), normally the list's own path. */
  readonly action: string;
  readonly fields: readonly FilterField[];
  /** The current query, so each field shows what is applied. */
  readonly values: QueryValues;
  /** Default `Filter`. */
  readonly submitLabel?: string;
}

export function FilterForm({
  action,
  fields,
  values,
  submitLabel = "Filter",
}: FilterFormProps): JSX.Element {
  const anyApplied = fields.some((field) => queryValue(values, field.name) !== undefined);
  return (
    <form method="get" action={attr(action)} class="filters" aria-label="Filters">
      {fields.map((field) => (
        <div class="field">
          <label for={fieldId(field)} safe>
            {field.label}
          </label>
          {field.kind === "select"
            ? renderSelect(field, queryValue(values, field.name))
            : renderInput(field, queryValue(values, field.name))}
        </div>
      ))}
      <div class="filter-actions">
        <button type="submit" class="btn" safe>
          {submitLabel}
        </button>
        {anyApplied ? (
          <a href={attr(action)} class="btn btn-quiet">
            Clear
          </a>
        ) : (
          ""
        )}
      </div>
    </form>
  );
}

/** Field names are unique within one form, and there is one filter form per page. */
function fieldId(field: FilterField): string {
  return attr(`filter-${field.name}`);
}

function renderInput(field: TextField, current: string | undefined): JSX.Element {
  return (
    <input
      type={field.inputType ?? "text"}
      id={fieldId(field)}
      name={attr(field.name)}
      value={current === undefined ? undefined : attr(current)}
      placeholder={field.placeholder === undefined ? undefined : attr(field.placeholder)}
      class={field.mono ? "mono" : undefined}
      // Seconds allowed: a time copied from the API (or a link) has them, and the default
      // 60 s step would mark such a value invalid and block sending the form again.
      step={field.inputType === "datetime-local" ? "1" : undefined}
      autocomplete="off"
    />
  );
}

function renderSelect(field: SelectField, current: string | undefined): JSX.Element {
  // A value from the URL that is not among the options is still shown as selected, so
  // the form never silently drops a filter that is in effect.
  const known = field.options.some((option) => option.value === current);
  const options =
    current === undefined || known
      ? field.options
      : [...field.options, { value: current, label: current }];
  return (
    <select id={fieldId(field)} name={attr(field.name)}>
      <option value="" safe>
        {field.anyLabel ?? "Any"}
      </option>
      {options.map((option) => (
        <option value={attr(option.value)} selected={option.value === current} safe>
          {option.label}
        </option>
      ))}
    </select>
  );
}
