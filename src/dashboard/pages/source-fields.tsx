/**
 * The source forms' fields, shared by the create form on the list and the edit form on a
 * source's page: the name (create only), the verifier's type, its secrets and its own
 * settings, the event type template and the description, each with the service's
 * problems underneath. A setting shows only beside the types that take it (app.js, from
 * `data-shown-by`); without JavaScript all show, labelled with their types.
 */
import { VERIFIER_TYPES } from "../../sources/providers/index.ts";
import { attr, type FieldProblems, FormField, fieldAria } from "../components/index.ts";
import { textareaText } from "./endpoint-fields.tsx";
import {
  SOURCE_FIELD_LABELS,
  type SourceFormValues,
  TYPES_WITH_SECRETS,
  VERIFIER_FIELDS,
  VERIFIER_LABELS,
  VERIFIER_OPTIONS,
  type VerifierFieldName,
} from "./source-form.ts";

export interface SourceFieldsProps {
  /** Prefix of the inputs' ids, unique on the page (`source` → `source-name`). */
  readonly idPrefix: string;
  readonly mode: "create" | "edit";
  readonly values: SourceFormValues;
  readonly problems: FieldProblems;
  /** On the edit form: the stored secrets, masked, kept when none are typed. */
  readonly currentSecrets?: readonly string[] | undefined;
}

interface OwnField {
  readonly hint: string;
  readonly placeholder?: string;
  readonly choices?: readonly string[];
  readonly mono?: boolean;
}

/** What each of the verifier's own fields takes; VERIFIER_FIELDS says for which types. */
const OWN_FIELDS: Readonly<Record<VerifierFieldName, OwnField>> = {
  header: {
    hint: "hmac: the header carrying the signature; api-key: the header carrying the key.",
    placeholder: "X-Signature",
    mono: true,
  },
  algorithm: { hint: "hmac: the hash (default sha256).", choices: ["sha256", "sha1", "sha512"] },
  encoding: { hint: "hmac: how the digest is written (default hex).", choices: ["hex", "base64"] },
  prefix: {
    hint: "hmac, optional: text before the digest, required when set.",
    placeholder: "sha256=",
    mono: true,
  },
  timestamp_header: {
    hint: "hmac, optional: the header with the time of sending (Unix seconds); the signed content is then <timestamp>.<body>.",
    placeholder: "X-Timestamp",
    mono: true,
  },
  tolerance: {
    hint: "stripe, slack, standard-webhooks, hmac with a timestamp header: how far the signed time may be from this clock (default 5m).",
    placeholder: "5m",
    mono: true,
  },
  username: { hint: "basic: the user name; the secrets are the passwords it may use." },
};

export function SourceFields(props: SourceFieldsProps): JSX.Element {
  const { idPrefix, values, problems } = props;
  const id = (name: string) => `${idPrefix}-${name}`;
  const typeSelect = id("verifier_type");
  const shownFor = (types: readonly string[]) => ({
    "data-shown-by": typeSelect,
    "data-shown-for": types.join(" "),
  });
  return (
    <>
      {props.mode === "create" ? (
        <FormField
          id={id("name")}
          label={SOURCE_FIELD_LABELS.name ?? "Name"}
          problems={problems.name}
          hint="Lower-case letters, digits, - and _: the URL /in/<name> and the first part of its event types. It cannot be changed later."
          input={
            <input
              id={id("name")}
              name="name"
              required
              maxlength="63"
              placeholder="stripe-live"
              autocomplete="off"
              class="mono"
              value={attr(values.name)}
              {...fieldAria(id("name"), problems.name, true)}
            />
          }
        />
      ) : (
        ""
      )}
      <FormField
        id={typeSelect}
        label={SOURCE_FIELD_LABELS.verifier_type ?? "Verifier"}
        problems={problems.verifier_type}
        hint="How hookyard checks that a request came from the sender."
        input={
          <select
            id={typeSelect}
            name="verifier_type"
            required
            {...fieldAria(typeSelect, problems.verifier_type, true)}
          >
            <option value="">Choose…</option>
            {VERIFIER_OPTIONS.map((option) => (
              <option value={option.value} selected={option.value === values.verifierType} safe>
                {option.label}
              </option>
            ))}
          </select>
        }
      />
      <FormField
        id={id("secrets")}
        label={SOURCE_FIELD_LABELS.secrets ?? "Secrets"}
        class="field-wide"
        problems={problems.secrets}
        hint={secretsHint(props.currentSecrets)}
        data={shownFor(TYPES_WITH_SECRETS)}
        input={
          <textarea
            id={id("secrets")}
            name="secrets"
            rows="2"
            spellcheck="false"
            class="mono"
            {...fieldAria(id("secrets"), problems.secrets, true)}
            safe
          >
            {textareaText(values.secrets)}
          </textarea>
        }
      />
      {VERIFIER_FIELDS.map((field) => (
        <OwnInput
          id={id(field.name)}
          name={field.name}
          value={values[field.key]}
          problems={problems[field.name]}
          spec={OWN_FIELDS[field.name]}
          data={shownFor(field.types)}
        />
      ))}
      <FormField
        id={id("event_type_template")}
        label={SOURCE_FIELD_LABELS.event_type_template ?? "Event type template"}
        problems={problems.event_type_template}
        hint="Optional, e.g. {{body.kind}} or {{header.x-event}}. Empty: the provider's own type field. Either way stored as <name>.<type>."
        input={
          <input
            id={id("event_type_template")}
            name="event_type_template"
            maxlength="200"
            placeholder="{{body.type}}"
            autocomplete="off"
            class="mono"
            value={attr(values.eventType)}
            {...fieldAria(id("event_type_template"), problems.event_type_template, true)}
          />
        }
      />
      <FormField
        id={id("description")}
        label={SOURCE_FIELD_LABELS.description ?? "Description"}
        problems={problems.description}
        input={
          <input
            id={id("description")}
            name="description"
            maxlength="1000"
            autocomplete="off"
            value={attr(values.description)}
            {...fieldAria(id("description"), problems.description)}
          />
        }
      />
    </>
  );
}

function secretsHint(current: readonly string[] | undefined): string {
  const rotation =
    "Any one of them verifies: add the new one beside the old while the sender rotates.";
  if (current === undefined) return rotation;
  if (current.length === 0) return rotation;
  return `Leave empty to keep the current ${current.length === 1 ? "one" : current.length} (${current.join(", ")}). ${rotation}`;
}

interface OwnInputProps {
  readonly id: string;
  readonly name: VerifierFieldName;
  readonly value: string;
  readonly problems: readonly string[] | undefined;
  readonly spec: OwnField;
  readonly data: Readonly<Record<string, string>>;
}

function OwnInput({ id, name, value, problems, spec, data }: OwnInputProps): JSX.Element {
  const aria = fieldAria(id, problems, true);
  const input =
    spec.choices === undefined ? (
      <input
        id={id}
        name={name}
        maxlength="256"
        placeholder={spec.placeholder === undefined ? undefined : attr(spec.placeholder)}
        autocomplete="off"
        class={spec.mono ? "mono" : undefined}
        value={attr(value)}
        {...aria}
      />
    ) : (
      <select id={id} name={name} {...aria}>
        <option value="">Default</option>
        {/* A stored or posted value outside the choices is kept, for the service to name. */}
        {(value === "" || spec.choices.includes(value)
          ? spec.choices
          : [...spec.choices, value]
        ).map((choice) => (
          <option value={attr(choice)} selected={choice === value} safe>
            {choice}
          </option>
        ))}
      </select>
    );
  return (
    <FormField
      id={id}
      label={SOURCE_FIELD_LABELS[name] ?? name}
      problems={problems}
      hint={spec.hint}
      input={input}
      data={data}
    />
  );
}

/** For the list and the source's page: `stripe` → "Stripe". */
export function verifierLabel(type: string): string {
  return (VERIFIER_TYPES as readonly string[]).includes(type)
    ? VERIFIER_LABELS[type as keyof typeof VERIFIER_LABELS]
    : type;
}
