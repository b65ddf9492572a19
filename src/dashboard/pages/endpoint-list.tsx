/**
 * `/dashboard/endpoints`: the registered endpoints and the form that adds one. Rendering
 * only: endpoints.tsx loads the list, and re-renders this page with the typed values and
 * the problems when a submitted form is refused.
 */

import type { Endpoint } from "../../store/endpoints.ts";
import {
  type Column,
  CsrfField,
  EmptyState,
  markup,
  Notice,
  StatusBadge,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { EndpointFields, type FieldProblems } from "./endpoint-fields.tsx";
import { describeEventTypes, type EndpointFormValues } from "./endpoint-form.ts";

export const endpointHref = (id: string): string =>
  `/dashboard/endpoints/${encodeURIComponent(id)}`;

export interface PageNotice {
  readonly tone: "ok" | "bad" | "warn" | "info";
  readonly message: string;
}

export interface EndpointListPageProps {
  readonly endpoints: readonly Endpoint[];
  readonly csrfToken: string;
  readonly form: EndpointFormValues;
  /** Problems with the submitted form, by field (`url`, `event_types`, …, `form`). */
  readonly problems: Readonly<Record<string, readonly string[]>>;
  readonly notice?: PageNotice | undefined;
}

/** Enabled, or disabled with hookyard's reason when it disabled it (a 410). */
export function EndpointState({ endpoint }: { readonly endpoint: Endpoint }): JSX.Element {
  if (endpoint.enabled) return <StatusBadge status="enabled" />;
  return (
    <span>
      <StatusBadge status="disabled" />
      {endpoint.disabledReason === null ? (
        ""
      ) : (
        <>
          {" "}
          <span class="muted" safe>
            {endpoint.disabledReason}
          </span>
        </>
      )}
    </span>
  );
}

const columns: readonly Column<Endpoint>[] = [
  {
    header: "URL",
    cell: (e) =>
      markup(
        <a href={endpointHref(e.id)} safe>
          {e.url}
        </a>,
      ),
    // Wrapped: a long URL on one line would push the other columns off a laptop screen.
    class: "wrap",
  },
  { header: "Description", cell: (e) => e.description, class: "wrap" },
  { header: "Event types", cell: (e) => describeEventTypes(e.eventTypes), class: "mono" },
  { header: "State", cell: (e) => markup(<EndpointState endpoint={e} />) },
  { header: "Created", cell: (e) => markup(<Time value={e.createdAt} />), class: "nowrap" },
];

export function EndpointListPage(props: EndpointListPageProps): JSX.Element {
  const formProblems = props.problems.form ?? [];
  return (
    <Layout title="Endpoints" active="endpoints" csrfToken={props.csrfToken}>
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      {Object.keys(props.problems).length === 0 ? (
        ""
      ) : (
        <Notice tone="bad" message="The endpoint was not created: see the fields marked below." />
      )}
      {formProblems.map((message) => (
        <Notice tone="bad" message={message} />
      ))}
      <p class="muted">
        An endpoint is a URL that hookyard POSTs events to, signed with the endpoint's secret
        (Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>,{" "}
        <code>webhook-signature</code>), retrying until it answers 2xx.
      </p>
      <CreateForm csrfToken={props.csrfToken} values={props.form} problems={props.problems} />
      <Table
        caption="Endpoints, oldest first"
        columns={columns}
        rows={props.endpoints}
        empty={
          <EmptyState
            title="No endpoints yet"
            text="Add one above with the URL of a receiver; every stored event whose type it subscribes to is then delivered to it. For a receiver to try it with, scripts/consumer.ts prints what it gets:"
            code="bun scripts/consumer.ts --port 9000 --secret whsec_…"
          />
        }
      />
    </Layout>
  );
}

interface CreateFormProps {
  readonly csrfToken: string;
  readonly values: EndpointFormValues;
  readonly problems: FieldProblems;
}

function CreateForm({ csrfToken, values, problems }: CreateFormProps): JSX.Element {
  return (
    <form method="post" action="/dashboard/endpoints" class="filters" aria-label="Add an endpoint">
      <CsrfField token={csrfToken} />
      <EndpointFields idPrefix="endpoint" values={values} problems={problems} />
      <div class="filter-actions">
        <button type="submit" class="btn">
          Add endpoint
        </button>
      </div>
    </form>
  );
}
