/**
 * `/dashboard/endpoints/:id`: one endpoint's health and deliveries chart, the recovery
 * forms, its signing secret (masked; this page is behind the dashboard's auth, as the
 * API's GET /endpoints/:id is behind ADMIN_TOKEN), the actions on it, its edit form, and
 * its deliveries newest first. Rendering only: endpoints.tsx loads. The health, the chart
 * and the deliveries keep up live while retries run; the forms are outside those regions,
 * so nothing being typed is replaced.
 */

import type { EndpointHealthSummary } from "../../endpoint-health/service.ts";
import type { Delivery } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import {
  type Column,
  FilterForm,
  JsonView,
  KeyValue,
  LiveRegion,
  markup,
  Notice,
  Pager,
  PostButton,
  type QueryValues,
  SecretValue,
  StatusBadge,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { EndpointEditForm, type EndpointEditProps } from "./endpoint-edit.tsx";
import { FilterTestForm } from "./endpoint-filter-test.tsx";
import { describeEventTypes } from "./endpoint-form.ts";
import { HealthSummary } from "./endpoint-health-view.tsx";
import { endpointHref, type PageNotice } from "./endpoint-list.tsx";
import type { WindowFormValues } from "./endpoint-recovery-form.ts";
import { RecoveryPanels } from "./endpoint-recovery-view.tsx";
import { deliveryHref, eventHref } from "./event-display.ts";

/** A delivery row with its event's type, when the event is still stored. */
export interface DeliveryRow {
  readonly delivery: Delivery;
  readonly eventType: string | undefined;
}

export interface EndpointPageProps {
  readonly endpoint: Endpoint;
  readonly health: EndpointHealthSummary;
  /** The deliveries chart's markup (../charts/index.ts); empty when there is none. */
  readonly chart: JSX.Element;
  /** Where the recover and replay forms' windows start: the last 24 hours. */
  readonly recoveryWindow: WindowFormValues;
  readonly deliveries: readonly DeliveryRow[];
  readonly nextCursor: string | null;
  readonly query: QueryValues;
  readonly csrfToken: string;
  readonly notice?: PageNotice | undefined;
  /** Filters or a cursor that were ignored, and why. */
  readonly problems: readonly string[];
  /** The edit form's values and problems (the stored values when nothing was submitted). */
  readonly edit: Pick<EndpointEditProps, "values" | "problems">;
  /** To tell whether the secret before the last rotation still signs. */
  readonly now: Date;
}

export const DELIVERY_STATUS_OPTIONS = [
  { value: "pending", label: "Pending" },
  { value: "delivered", label: "Delivered" },
  { value: "failed", label: "Failed" },
] as const;

/** The time comes first and links to the attempts: it is what shows on a phone before the table scrolls. */
const deliveryColumns: readonly Column<DeliveryRow>[] = [
  {
    header: "Created",
    cell: ({ delivery }) =>
      markup(
        <a href={deliveryHref(delivery.id)} title="Its attempts">
          <Time value={delivery.createdAt} />
        </a>,
      ),
    class: "nowrap",
  },
  {
    header: "Event",
    cell: ({ delivery, eventType }) =>
      markup(
        <span>
          <a href={eventHref(delivery.eventId)} safe>
            {eventType ?? "(event no longer stored)"}
          </a>
          <br />
          <span class="muted" safe>
            {delivery.eventId}
          </span>
        </span>,
      ),
    class: "mono",
  },
  {
    header: "Status",
    cell: ({ delivery }) => markup(<StatusBadge status={delivery.status} />),
    class: "nowrap",
  },
  { header: "Attempts", cell: ({ delivery }) => delivery.attemptCount, class: "num" },
  {
    header: "Last response",
    cell: ({ delivery }) =>
      delivery.lastStatusCode === null
        ? delivery.lastError
        : markup(<StatusBadge status={delivery.lastStatusCode} />),
    class: "wrap",
  },
  {
    header: "Next attempt",
    cell: ({ delivery }) =>
      delivery.status === "pending" ? markup(<Time value={delivery.nextAttemptAt} />) : null,
    class: "nowrap",
  },
];

export function EndpointPage(props: EndpointPageProps): JSX.Element {
  const { endpoint, csrfToken } = props;
  const base = endpointHref(endpoint.id);
  return (
    <Layout
      title={endpoint.description === "" ? "Endpoint" : `Endpoint: ${endpoint.description}`}
      active="endpoints"
      csrfToken={csrfToken}
      // A refused edit is shown at the form's POST address, which a fetch cannot load again.
      live={
        Object.keys(props.edit.problems).length === 0
          ? { topics: ["deliveries"], endpointId: endpoint.id }
          : undefined
      }
      actions={
        <>
          <PostButton
            action={`${base}/toggle`}
            csrfToken={csrfToken}
            label={endpoint.enabled ? "Disable" : "Enable"}
            fields={{ enabled: endpoint.enabled ? "false" : "true" }}
          />
          <PostButton
            action={`${base}/rotate-secret`}
            csrfToken={csrfToken}
            label="Rotate secret"
            confirm="Replace the signing secret with a new one? Receivers will need the new one."
          />
          <PostButton
            action={`${base}/delete`}
            csrfToken={csrfToken}
            label="Delete"
            confirm="Delete this endpoint with all its deliveries and attempts?"
            danger
          />
        </>
      }
    >
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Health</h2>
        <LiveRegion id="endpoint-health">
          <HealthSummary health={props.health} endpoint={endpoint} />
        </LiveRegion>
        <LiveRegion id="endpoint-chart">{props.chart}</LiveRegion>
      </section>
      <RecoveryPanels endpoint={endpoint} csrfToken={csrfToken} window={props.recoveryWindow} />
      <EndpointFacts endpoint={endpoint} now={props.now} />
      <EndpointEditForm
        endpoint={endpoint}
        csrfToken={csrfToken}
        values={props.edit.values}
        problems={props.edit.problems}
      />
      <FilterTestForm endpoint={endpoint} />
      <DeliveriesSection {...props} />
    </Layout>
  );
}

function EndpointFacts({
  endpoint,
  now,
}: {
  readonly endpoint: Endpoint;
  readonly now: Date;
}): JSX.Element {
  const previousUntil = endpoint.previousSecretUntil;
  const overlapping = previousUntil != null && previousUntil.getTime() > now.getTime();
  return (
    <section aria-label="Settings">
      <KeyValue
        items={[
          { label: "Id", value: endpoint.id, mono: true },
          { label: "URL", value: endpoint.url, mono: true },
          { label: "Description", value: endpoint.description },
          { label: "Event types", value: describeEventTypes(endpoint.eventTypes), mono: true },
          {
            label: "Payload filter",
            value:
              endpoint.filter == null
                ? "none: every event of its types"
                : markup(<JsonView value={endpoint.filter} label="Payload filter" />),
          },
          {
            label: "Signing secret",
            value: markup(<SecretValue secret={endpoint.secret} label="Signing secret" />),
          },
          ...(overlapping
            ? [
                {
                  label: "Previous secret",
                  value: markup(
                    <span>
                      still signs beside it until <Time value={previousUntil} />, so receivers that
                      have not switched yet keep verifying
                    </span>,
                  ),
                },
              ]
            : []),
          { label: "Created", value: markup(<Time value={endpoint.createdAt} />) },
          { label: "Updated", value: markup(<Time value={endpoint.updatedAt} />) },
        ]}
      />
      <p class="muted note">
        Receivers verify each request with this secret, e.g. svix's{" "}
        <code>new Webhook(secret).verify(body, headers)</code>.
      </p>
    </section>
  );
}

function DeliveriesSection(props: EndpointPageProps): JSX.Element {
  const base = endpointHref(props.endpoint.id);
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      {props.problems.map((message) => (
        <Notice tone="warn" message={message} />
      ))}
      <FilterForm
        action={base}
        values={props.query}
        fields={[
          { name: "status", label: "Status", kind: "select", options: DELIVERY_STATUS_OPTIONS },
          { name: "type", label: "Event type", placeholder: "order.* or order.paid" },
          { name: "since", label: "Since (UTC)", inputType: "datetime-local" },
          { name: "until", label: "Until (UTC)", inputType: "datetime-local" },
        ]}
      />
      <LiveRegion id="endpoint-deliveries">
        <Table
          caption="Deliveries to this endpoint, newest first"
          columns={deliveryColumns}
          rows={props.deliveries}
          empty={
            <p class="muted empty-line">
              No deliveries here yet. Events whose type this endpoint subscribes to are delivered as
              they arrive; POST /trigger/:event_type records one by hand.
            </p>
          }
        />
        <Pager path={base} query={props.query} nextCursor={props.nextCursor} />
      </LiveRegion>
    </section>
  );
}
