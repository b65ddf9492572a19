/**
 * `/dashboard/sources/:name`: one source: the URL to give its sender, its verifier with
 * every secret masked (the page never holds a secret, as GET /sources/:name never
 * answers one), its settings, its recent events, and the edit form and delete button.
 * A source of the config file is shown read-only: the file is where it is changed.
 * Rendering only: sources.tsx loads.
 */
import type { Source } from "../../sources/definition.ts";
import { maskedVerifier } from "../../sources/providers/index.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  type Column,
  CopyableText,
  CsrfField,
  type FieldProblems,
  KeyValue,
  type KeyValueItem,
  markup,
  Notice,
  PostButton,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import type { PageNotice } from "./endpoint-list.tsx";
import { payloadPreview } from "./event-display.ts";
import { EVENT_TYPE_COLUMN } from "./event-list.tsx";
import { SourceFields, verifierLabel } from "./source-fields.tsx";
import type { SourceFormValues } from "./source-form.ts";
import { declaredInLabel, sourceEventsHref, sourceHref, sourceUrl } from "./source-list.tsx";

export interface SourcePageProps {
  readonly source: Source;
  readonly origin: string;
  readonly csrfToken: string;
  /** Newest first. */
  readonly events: readonly StoredEvent[];
  /** More events exist than are shown. */
  readonly moreEvents: boolean;
  readonly notice?: PageNotice | undefined;
  /** The edit form's values and problems (the stored values when nothing was submitted). */
  readonly edit: { readonly values: SourceFormValues; readonly problems: FieldProblems };
}

const eventColumns: readonly Column<StoredEvent>[] = [
  EVENT_TYPE_COLUMN,
  { header: "Received", cell: (e) => markup(<Time value={e.receivedAt} />), class: "nowrap" },
  { header: "Payload", cell: (e) => markup(<code safe>{payloadPreview(e)}</code>), class: "wrap" },
];

export function SourcePage(props: SourcePageProps): JSX.Element {
  const { source, csrfToken } = props;
  const declared = source.origin === "config";
  return (
    <Layout
      title={`Source ${source.name}`}
      active="sources"
      csrfToken={csrfToken}
      actions={
        declared ? undefined : (
          <PostButton
            action={`${sourceHref(source.name)}/delete`}
            csrfToken={csrfToken}
            label="Delete"
            confirm={`Delete the source ${source.name}? Its URL will answer 404 from then on; its events stay.`}
            danger
          />
        )
      }
    >
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      {declared ? (
        <Notice
          tone="info"
          message="This source is declared in the config file, so it is read-only here: change it in the file's [sources] table and restart hookyard."
        />
      ) : (
        ""
      )}
      <KeyValue items={facts(source, props.origin)} />
      {declared ? "" : <SourceEditForm source={source} csrfToken={csrfToken} {...props.edit} />}
      <section aria-labelledby="source-events-heading">
        <h2 id="source-events-heading">Recent events</h2>
        <Table
          caption={`Events from ${source.name}, newest first`}
          columns={eventColumns}
          rows={props.events}
          empty={
            <p class="muted empty-line">
              No events from this source yet. They appear here once its sender posts to the URL
              above and the request passes the verifier.
            </p>
          }
        />
        <p>
          <a href={sourceEventsHref(source.name)} class="btn btn-small btn-quiet">
            {props.moreEvents ? "All events from this source" : "These events in the events list"}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** The facts about a source: every verifier setting as stored, secrets masked. */
function facts(source: Source, origin: string): KeyValueItem[] {
  const { type, secrets, ...settings } = maskedVerifier(source.verifier) as Record<
    string,
    unknown
  > & { type: string };
  return [
    {
      label: "URL to give the sender",
      value: markup(<CopyableText text={sourceUrl(origin, source.name)} />),
    },
    { label: "Verifier", value: verifierLabel(type) },
    ...(Array.isArray(secrets)
      ? [
          {
            label: secrets.length === 1 ? "Secret" : "Secrets",
            value: `${secrets.map(String).join(", ")} (masked)`,
            mono: true,
          },
        ]
      : []),
    ...Object.entries(settings).map(([name, value]) => ({
      label: settingLabel(name),
      value: String(value),
      mono: true,
    })),
    {
      label: "Event type",
      value:
        source.eventType === undefined
          ? `${source.name}.<the provider's own type>`
          : `${source.name}.${source.eventType.text}`,
      mono: true,
    },
    { label: "Description", value: source.description },
    { label: "Declared in", value: declaredInLabel(source) },
    ...(source.createdAt === null
      ? []
      : [
          { label: "Created", value: markup(<Time value={source.createdAt} />) },
          { label: "Updated", value: markup(<Time value={source.updatedAt} />) },
        ]),
  ];
}

const SETTING_LABELS: Readonly<Record<string, string>> = {
  header: "Header",
  algorithm: "Algorithm",
  encoding: "Encoding",
  prefix: "Prefix",
  timestamp_header: "Timestamp header",
  tolerance: "Tolerance",
  username: "Username",
};

const settingLabel = (name: string) => SETTING_LABELS[name] ?? name;

interface SourceEditFormProps {
  readonly source: Source;
  readonly csrfToken: string;
  readonly values: SourceFormValues;
  readonly problems: FieldProblems;
}

/** Folded away until opened; open when a saved form came back with problems. */
function SourceEditForm({ source, csrfToken, values, problems }: SourceEditFormProps): JSX.Element {
  const refused = Object.keys(problems).length > 0;
  const masked = maskedVerifier(source.verifier);
  const current = Array.isArray(masked.secrets) ? masked.secrets.map(String) : [];
  return (
    <details class="panel" id="edit" open={refused}>
      <summary>Edit the verifier, event type and description</summary>
      {refused ? (
        <Notice tone="bad" message="The source was not saved: see the fields marked below." />
      ) : (
        ""
      )}
      {(problems.form ?? []).map((message) => (
        <Notice tone="bad" message={message} />
      ))}
      <form
        method="post"
        action={`${sourceHref(source.name)}/edit`}
        class="form-grid"
        aria-label="Edit source"
      >
        <CsrfField token={csrfToken} />
        <SourceFields
          idPrefix="edit"
          mode="edit"
          values={values}
          problems={problems}
          currentSecrets={current}
        />
        <div class="filter-actions">
          <button type="submit" class="btn">
            Save
          </button>
        </div>
      </form>
    </details>
  );
}
