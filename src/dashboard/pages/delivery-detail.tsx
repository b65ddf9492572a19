/**
 * `/dashboard/deliveries/:id`: one delivery, where it comes from and goes to, and every
 * attempt with what the receiver answered (the first 4 KB, as text: receivers are not
 * trusted any more than senders). Rendering only: delivery-routes.tsx loads.
 */

import type { Delivery, DeliveryAttempt } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  type Column,
  KeyValue,
  markup,
  Notice,
  PostButton,
  StatusBadge,
  Table,
  TextView,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { endpointHref, type PageNotice } from "./endpoint-list.tsx";
import { deliveryHref, eventHref } from "./event-display.ts";

/** The store keeps 4 KB of each response; the page never shows more, whatever it holds. */
export const RESPONSE_SHOWN_BYTES = 4 * 1024;

export interface DeliveryPageProps {
  readonly delivery: Delivery;
  /** Undefined when retention removed it (the delivery would normally go with it). */
  readonly event: StoredEvent | undefined;
  readonly endpoint: Endpoint | undefined;
  /** Oldest first. */
  readonly attempts: readonly DeliveryAttempt[];
  readonly csrfToken: string;
  readonly notice?: PageNotice | undefined;
}

interface NumberedAttempt {
  readonly number: number;
  readonly attempt: DeliveryAttempt;
}

const attemptColumns: readonly Column<NumberedAttempt>[] = [
  { header: "#", cell: ({ number }) => number, class: "num" },
  {
    header: "Time",
    cell: ({ attempt }) => markup(<Time value={attempt.attemptedAt} />),
    class: "nowrap",
  },
  {
    header: "Status",
    cell: ({ attempt }) =>
      attempt.statusCode === null
        ? "no response"
        : markup(<StatusBadge status={attempt.statusCode} />),
    class: "nowrap",
  },
  { header: "Duration", cell: ({ attempt }) => `${attempt.durationMs} ms`, class: "num" },
  { header: "Error", cell: ({ attempt }) => attempt.error, class: "wrap" },
  {
    header: "Response",
    cell: ({ attempt }) =>
      attempt.responseBody === null || attempt.responseBody === ""
        ? null
        : markup(<TextView text={attempt.responseBody} maxBytes={RESPONSE_SHOWN_BYTES} />),
    class: "wrap",
  },
];

export function DeliveryPage(props: DeliveryPageProps): JSX.Element {
  const { delivery, event, endpoint, csrfToken } = props;
  return (
    <Layout
      title={`Delivery of ${event?.type ?? "an event"}`}
      active="endpoints"
      csrfToken={csrfToken}
      actions={
        <PostButton
          action={`${deliveryHref(delivery.id)}/retry`}
          csrfToken={csrfToken}
          label="Redeliver"
          confirm="Send this delivery again now, with a fresh retry schedule and the same webhook-id?"
        />
      }
    >
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      {endpoint !== undefined && !endpoint.enabled ? (
        <Notice
          tone="warn"
          message="The endpoint is disabled: this delivery waits until it is enabled again."
        />
      ) : (
        ""
      )}
      <KeyValue
        items={[
          { label: "Id", value: delivery.id, mono: true },
          { label: "Status", value: markup(<StatusBadge status={delivery.status} />) },
          {
            label: "Event",
            value: markup(
              <span>
                <a href={eventHref(delivery.eventId)} safe>
                  {event?.type ?? delivery.eventId}
                </a>{" "}
                <span class="muted" safe>
                  {delivery.eventId}
                </span>
              </span>,
            ),
            mono: true,
          },
          {
            label: "Endpoint",
            value: markup(
              <a href={endpointHref(delivery.endpointId)} safe>
                {endpoint?.url ?? delivery.endpointId}
              </a>,
            ),
            mono: true,
          },
          { label: "Webhook id", value: delivery.eventId, mono: true },
          { label: "Attempts", value: delivery.attemptCount },
          {
            label: "Last response",
            value:
              delivery.lastStatusCode === null
                ? null
                : markup(<StatusBadge status={delivery.lastStatusCode} />),
          },
          { label: "Last error", value: delivery.lastError },
          {
            label: "Next attempt",
            value:
              delivery.status === "pending"
                ? markup(<Time value={delivery.nextAttemptAt} />)
                : null,
          },
          { label: "Created", value: markup(<Time value={delivery.createdAt} />) },
          { label: "Delivered", value: markup(<Time value={delivery.deliveredAt} />) },
        ]}
      />
      <h2>Attempts</h2>
      <Table
        caption="Attempts, oldest first"
        columns={attemptColumns}
        rows={props.attempts.map((attempt, index) => ({ number: index + 1, attempt }))}
        empty={<p class="muted empty-line">No attempt yet.</p>}
      />
    </Layout>
  );
}
