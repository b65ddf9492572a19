/**
 * `/dashboard/failures`: failed deliveries across every endpoint, newest first, with
 * filters and a "Retry these" form that carries them. Rendering only: failures.tsx loads
 * the page. The table (and its pager) is the live region; the forms stay outside it, so
 * a filter being typed is never swapped away.
 */

import type { Delivery } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import {
  attr,
  type Column,
  CsrfField,
  EmptyState,
  FilterForm,
  LiveRegion,
  markup,
  Notice,
  Pager,
  type QueryValues,
  StatusBadge,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { endpointHref } from "./endpoint-list.tsx";
import { deliveryHref } from "./event-display.ts";
import { FAILURES_PATH, type FailuresFilterRequest, hasFilters } from "./failures-query.ts";

export interface FailureRow {
  readonly delivery: Delivery;
  /** Undefined when the event is no longer stored. */
  readonly eventType: string | undefined;
  readonly endpoint: Endpoint | undefined;
}

export interface FailuresPageProps {
  readonly rows: readonly FailureRow[];
  readonly nextCursor: string | null;
  readonly query: QueryValues;
  readonly values: FailuresFilterRequest["values"];
  /** Why the filter was refused: nothing is listed then. */
  readonly problems: readonly string[];
  readonly cursorProblem: string | undefined;
  readonly firstPage: boolean;
  readonly endpoints: readonly Endpoint[];
  readonly csrfToken: string;
  readonly notice: string | undefined;
}

/** What the last attempt came to: its status code, and the error when it says more. */
export function lastOutcome(delivery: Delivery): JSX.Element {
  const code = delivery.lastStatusCode;
  const error = delivery.lastError;
  const extra = error !== null && error !== `HTTP ${code}` ? error : null;
  if (code === null) {
    return error === null ? <span class="muted">—</span> : <span safe>{error}</span>;
  }
  return (
    <span>
      <StatusBadge status={code} />
      {extra === null ? (
        ""
      ) : (
        <>
          {" "}
          <span class="muted" safe>
            {extra}
          </span>
        </>
      )}
    </span>
  );
}

const columns: readonly Column<FailureRow>[] = [
  {
    // The link to the delivery and its attempts: named by what was sent, where a column of
    // delivery ids would push the table off a laptop screen.
    header: "Event type",
    cell: ({ delivery, eventType }) =>
      markup(
        <a href={deliveryHref(delivery.id)} title="The delivery and its attempts" safe>
          {eventType ?? "(event no longer stored)"}
        </a>,
      ),
    class: "wrap",
  },
  {
    header: "Endpoint",
    cell: ({ delivery, endpoint }) =>
      endpoint === undefined
        ? delivery.endpointId
        : markup(
            <a href={endpointHref(endpoint.id)} safe>
              {endpoint.url}
            </a>,
          ),
    class: "wrap",
  },
  { header: "Attempts", cell: ({ delivery }) => delivery.attemptCount, class: "num" },
  {
    header: "Last status / error",
    cell: ({ delivery }) => markup(lastOutcome(delivery)),
    class: "wrap",
  },
  {
    // A failed delivery's row is last written when its last attempt is recorded.
    header: "Last attempt",
    cell: ({ delivery }) => markup(<Time value={delivery.updatedAt} />),
    class: "nowrap",
  },
];

export function FailuresPage(props: FailuresPageProps): JSX.Element {
  const refused = props.problems.length > 0;
  return (
    <Layout
      title="Failures"
      active="failures"
      csrfToken={props.csrfToken}
      live={props.firstPage && !refused ? { topics: ["deliveries"] } : undefined}
    >
      {props.notice === undefined ? "" : <Notice tone="ok" message={props.notice} />}
      {refused ? (
        <Notice
          tone="bad"
          message={markup(
            <div>
              These filters were not applied:
              <ul>
                {props.problems.map((problem) => (
                  <li safe>{problem}</li>
                ))}
              </ul>
            </div>,
          )}
        />
      ) : (
        ""
      )}
      {props.cursorProblem === undefined ? (
        ""
      ) : (
        <Notice tone="warn" message={props.cursorProblem} />
      )}
      <FailuresFilterForm query={props.query} endpoints={props.endpoints} />
      {!refused && props.rows.length > 0 ? (
        <RetryTheseForm values={props.values} csrfToken={props.csrfToken} />
      ) : (
        ""
      )}
      {refused ? (
        ""
      ) : (
        <LiveRegion id="failures-table">
          <Table
            caption="Failed deliveries, newest first"
            columns={columns}
            rows={props.rows}
            empty={<NoFailures filtered={hasFilters(props.values) || !props.firstPage} />}
          />
          <Pager path={FAILURES_PATH} query={props.query} nextCursor={props.nextCursor} />
        </LiveRegion>
      )}
    </Layout>
  );
}

function FailuresFilterForm({
  query,
  endpoints,
}: {
  readonly query: QueryValues;
  readonly endpoints: readonly Endpoint[];
}): JSX.Element {
  return (
    <FilterForm
      action={FAILURES_PATH}
      values={query}
      fields={[
        {
          kind: "select",
          name: "endpoint_id",
          label: "Endpoint",
          anyLabel: "All endpoints",
          options: endpoints.map((endpoint) => ({
            value: endpoint.id,
            label: endpoint.enabled ? endpoint.url : `${endpoint.url} (disabled)`,
          })),
        },
        { name: "type", label: "Event type", placeholder: "task.* or task.update", mono: true },
        { name: "since", label: "Since (UTC)", inputType: "datetime-local" },
        { name: "until", label: "Until (UTC)", inputType: "datetime-local" },
      ]}
    />
  );
}

/** Posts the filters shown, to the page that counts what a retry would queue and asks. */
function RetryTheseForm({
  values,
  csrfToken,
}: {
  readonly values: FailuresFilterRequest["values"];
  readonly csrfToken: string;
}): JSX.Element {
  return (
    <form method="post" action={`${FAILURES_PATH}/retry`} class="page-actions">
      <CsrfField token={csrfToken} />
      <FilterFields values={values} />
      <button type="submit" class="btn">
        Retry these…
      </button>
      <span class="muted">Every failure these filters match, on every page.</span>
    </form>
  );
}

/** The filters as hidden fields, so that a form acts on what was shown. */
export function FilterFields({
  values,
}: {
  readonly values: FailuresFilterRequest["values"];
}): JSX.Element {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (
        <input type="hidden" name={attr(name)} value={attr(value)} />
      ))}
    </>
  );
}

function NoFailures({ filtered }: { readonly filtered: boolean }): JSX.Element {
  if (!filtered) {
    return (
      <EmptyState
        title="No failed deliveries"
        text="Deliveries whose every attempt failed show up here, across all endpoints, to be looked into and retried."
      />
    );
  }
  return (
    <section class="empty-state">
      <h2>No failed deliveries</h2>
      <p>
        None match these filters. <a href={FAILURES_PATH}>Show all failures</a>
      </p>
    </section>
  );
}
