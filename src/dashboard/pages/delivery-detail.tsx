/**
 * `/dashboard/deliveries/:id`: one delivery, where it comes from and goes to, and every
 * attempt with what the receiver answered (the first 4 KB, as text: receivers are not
 * trusted any more than senders). Rendering only: delivery-routes.tsx loads. Its facts
 * and attempts keep up live while retries run; the Redeliver button is outside them.
 */

import type { Delivery } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  KeyValue,
  LiveRegion,
  markup,
  Notice,
  PostButton,
  StatusBadge,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import {
  AttemptList,
  attemptCounts,
  describeAttemptCount,
  type ShownAttempt,
} from "./delivery-attempts.tsx";
import { endpointHref, type PageNotice } from "./endpoint-list.tsx";
import { deliveryHref, eventHref } from "./event-display.ts";

export interface DeliveryPageProps {
  readonly delivery: Delivery;
  /** Undefined when retention removed it (the delivery would normally go with it). */
  readonly event: StoredEvent | undefined;
  readonly endpoint: Endpoint | undefined;
  /** Oldest first, read together with `delivery` (delivery-snapshot.ts). */
  readonly attempts: readonly ShownAttempt[];
  readonly csrfToken: string;
  readonly notice?: PageNotice | undefined;
}

export function DeliveryPage(props: DeliveryPageProps): JSX.Element {
  const { delivery, event, endpoint, csrfToken } = props;
  const counts = attemptCounts(delivery, props.attempts);
  return (
    <Layout
      title={`Delivery of ${event?.type ?? "an event"}`}
      active="endpoints"
      csrfToken={csrfToken}
      live={{ topics: ["deliveries"], deliveryId: delivery.id }}
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
      <LiveRegion id="delivery-status">
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
            { label: "Attempts", value: describeAttemptCount(counts) },
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
      </LiveRegion>
      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Attempts, oldest first</h2>
        <LiveRegion id="delivery-attempts">
          <AttemptList attempts={props.attempts} counts={counts} />
        </LiveRegion>
      </section>
    </Layout>
  );
}
