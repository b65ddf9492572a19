/**
 * `/dashboard/endpoints`: the registered endpoints with their health, failing ones first,
 * and the form that adds one. Rendering only: endpoints.tsx loads the list and the health,
 * and re-renders this page with the typed values and the problems when a submitted form
 * is refused. The table keeps up with delivery outcomes live; the form stays as typed.
 */

import type { EndpointHealthSummary } from "../../endpoint-health/service.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import {
  type Column,
  CsrfField,
  EmptyState,
  LiveRegion,
  markup,
  Notice,
  Table,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { EndpointFields, type FieldProblems } from "./endpoint-fields.tsx";
import { describeEventTypes, type EndpointFormValues } from "./endpoint-form.ts";
import { HealthState, LastAttempt, RecentDeliveries } from "./endpoint-health-view.tsx";

export const endpointHref = (id: string): string =>
  `/dashboard/endpoints/${encodeURIComponent(id)}`;

export interface PageNotice {
  readonly tone: "ok" | "bad" | "warn" | "info";
  readonly message: string;
}

/** An endpoint with its health, as the list shows it. */
export interface EndpointRow {
  readonly endpoint: Endpoint;
  readonly health: EndpointHealthSummary;
}

export interface EndpointListPageProps {
  /** In the order shown: failing ones first (`failingFirst`). */
  readonly endpoints: readonly EndpointRow[];
  readonly csrfToken: string;
  readonly form: EndpointFormValues;
  /** Problems with the submitted form, by field (`url`, `event_types`, …, `form`). */
  readonly problems: Readonly<Record<string, readonly string[]>>;
  readonly notice?: PageNotice | undefined;
}

/**
 * Failing endpoints first, for they are what someone opening the list is looking for;
 * the others after them as they came (oldest first). The sort is stable.
 */
export function failingFirst(rows: readonly EndpointRow[]): EndpointRow[] {
  const rank = (row: EndpointRow) => (row.health.state === "failing" ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b));
}

const columns: readonly Column<EndpointRow>[] = [
  {
    header: "URL",
    cell: ({ endpoint }) =>
      markup(
        <span>
          <a href={endpointHref(endpoint.id)} class="mono" safe>
            {endpoint.url}
          </a>
          {endpoint.description === "" ? (
            ""
          ) : (
            <>
              <br />
              <span class="muted" safe>
                {endpoint.description}
              </span>
            </>
          )}
        </span>,
      ),
    // Wrapped: a long URL on one line would push the other columns off a laptop screen.
    class: "wrap",
  },
  {
    header: "Health",
    cell: ({ endpoint, health }) => markup(<HealthState health={health} endpoint={endpoint} />),
    class: "wrap",
  },
  {
    header: "Last 24 h",
    cell: ({ health }) => markup(<RecentDeliveries health={health} />),
  },
  {
    header: "Failures in a row",
    cell: ({ health }) => health.consecutiveFailures,
    class: "num",
  },
  {
    header: "Last attempt",
    cell: ({ health }) => markup(<LastAttempt health={health} />),
    class: "nowrap",
  },
  {
    header: "Event types",
    cell: ({ endpoint }) => describeEventTypes(endpoint.eventTypes),
    class: "mono wrap",
  },
];

export function EndpointListPage(props: EndpointListPageProps): JSX.Element {
  const formProblems = props.problems.form ?? [];
  return (
    <Layout
      title="Endpoints"
      active="endpoints"
      csrfToken={props.csrfToken}
      live={{ topics: ["deliveries"] }}
    >
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
      <LiveRegion id="endpoints-table">
        <Table
          caption="Endpoints, failing first, then oldest first"
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
      </LiveRegion>
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
