/**
 * A labelled form control with the problems found in it underneath, which the control
 * names as its description: the endpoint and source forms build their fields from it, so
 * a refused form reads the same everywhere.
 */
import { attr } from "./markup.ts";

/** Problems by form field name; `form` holds those no field shows. */
export type FieldProblems = Readonly<Record<string, readonly string[]>>;

export interface FormFieldProps {
  /** The control's id, unique on the page: the label points at it. */
  readonly id: string;
  /** The visible label (escaped). */
  readonly label: string;
  /** The input, select or textarea, built with `fieldAria(id, problems)`. */
  readonly input: JSX.Element;
  readonly problems?: readonly string[] | undefined;
  /** A sentence under the control saying what it takes (escaped). */
  readonly hint?: string | undefined;
  /** Extra classes for the field's box, e.g. `field-wide`. */
  readonly class?: string | undefined;
  /** Further attributes of the field's box (`data-*` that app.js reads). */
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export function FormField({
  id,
  label,
  input,
  problems = [],
  hint,
  class: className,
  data = {},
}: FormFieldProps): JSX.Element {
  const attributes = Object.fromEntries(
    Object.entries(data).map(([name, value]) => [name, attr(value)]),
  );
  return (
    <div class={className === undefined ? "field" : `field ${className}`} {...attributes}>
      <label for={attr(id)} safe>
        {label}
      </label>
      {input}
      {hint === undefined ? (
        ""
      ) : (
        <p id={attr(`${id}-hint`)} class="note muted" safe>
          {hint}
        </p>
      )}
      {problems.length === 0 ? (
        ""
      ) : (
        <div id={attr(`${id}-problems`)}>
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

/**
 * The `aria-invalid` and `aria-describedby` of the control inside a `FormField` of this
 * id: its problems, and its hint when it has one, are read out with it.
 */
export function fieldAria(
  id: string,
  problems: readonly string[] | undefined,
  hasHint = false,
): { "aria-invalid"?: "true"; "aria-describedby"?: string } {
  const invalid = problems !== undefined && problems.length > 0;
  const described = [hasHint ? `${id}-hint` : "", invalid ? `${id}-problems` : ""]
    .filter((part) => part !== "")
    .join(" ");
  return {
    ...(invalid ? { "aria-invalid": "true" as const } : {}),
    ...(described === "" ? {} : { "aria-describedby": attr(described) }),
  };
}
