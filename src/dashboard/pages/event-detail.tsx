/**
 * `/dashboard/events/:id`: one event as stored: its facts, the payload pretty-printed,
 * the request headers kept with it, and where it was delivered (kept up to date live, so
 * retries and a resend show as they happen), with the button that resends it
 * (event-resend.tsx).
 */

import type { Delivery } from "../../store/deliveries.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  type Column,
  errorPageResponse,
  JsonView,
  KeyValue,
  LiveRegion,
  markup,
  Notice,
  PostButton,
  StatusBadge,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import type { PageNotice } from "./endpoint-list.tsx";
import { deliveryHref, entityHref, eventHref, modifiedFields } from "./event-display.ts";

export interface EventPageProps {
  readonly event: StoredEvent;
  readonly deliveries: readonly Delivery[];
  /** More deliveries exist than are shown. */
  readonly moreDeliveries: boolean;
  readonly csrfToken: string;
  /** The outcome of a resend, shown once (flash.ts). */
  readonly notice?: PageNotice | undefined;
}

/** The 404 page for an event that is not (or no longer) stored. */
export function eventNotFound(id: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Event not found",
    message: `There is no event with id "${id}". It may have passed the retention window.`,
    active: "events",
  });
}

const deliveryColumns: readonly Column<Delivery>[] = [
  {
    header: "Delivery",
    cell: (d) =>
      markup(
        <a href={deliveryHref(d.id)} safe>
          {d.id}
        </a>,
      ),
    class: "mono",
  },
  { header: "Status", cell: (d) => markup(<StatusBadge status={d.status} />), class: "nowrap" },
  { header: "Endpoint", cell: (d) => d.endpointId, class: "mono" },
  { header: "Attempts", cell: (d) => d.attemptCount, class: "num" },
  {
    header: "Last response",
    cell: (d) =>
      d.lastStatusCode === null
        ? (d.lastError ?? null)
        : markup(<StatusBadge status={d.lastStatusCode} />),
    class: "nowrap",
  },
  {
    header: "Next attempt",
    cell: (d) => (d.status === "pending" ? markup(<Time value={d.nextAttemptAt} />) : null),
    class: "nowrap",
  },
];

export function EventPage({
  event,
  deliveries,
  moreDeliveries,
  csrfToken,
  notice,
}: EventPageProps): JSX.Element {
  const fields = modifiedFields(event);
  const headerLines = Object.entries(event.headers);
  return (
    <Layout
      title={`Event ${event.type}`}
      active="events"
      csrfToken={csrfToken}
      live={{ topics: ["deliveries"], eventId: event.id }}
      actions={
        <>
          {/* Asks first, on a page of its own that counts the endpoints it would go to. */}
          <PostButton
            action={`${eventHref(event.id)}/resend`}
            csrfToken={csrfToken}
            label="Resend…"
          />
          <a href="/dashboard" class="btn btn-small btn-quiet">
            All events
          </a>
        </>
      }
    >
      {notice === undefined ? "" : <Notice tone={notice.tone} message={notice.message} />}
      <KeyValue
        items={[
          { label: "Id", value: event.id, mono: true },
          { label: "Source", value: event.source },
          { label: "Type", value: event.type, mono: true },
          { label: "Entity type", value: event.entityType },
          {
            label: "Entity id",
            value:
              event.entityId === null
                ? null
                : markup(
                    <a href={entityHref(event.entityId)} safe>
                      {event.entityId}
                    </a>,
                  ),
            mono: true,
          },
          { label: "Action", value: event.action },
          ...(fields === undefined
            ? []
            : [{ label: "Modified fields", value: fields.join(", "), mono: true }]),
          { label: "Occurred", value: markup(<Time value={event.occurredAt} />) },
          { label: "Received", value: markup(<Time value={event.receivedAt} />) },
        ]}
      />
      <h2>Payload</h2>
      <JsonView value={event.payload} copyable label="Payload" />
      <h2>Headers</h2>
      {headerLines.length === 0 ? (
        <p class="muted">No request headers were kept for this event.</p>
      ) : (
        <KeyValue
          items={headerLines.map(([name, value]) => ({ label: name, value, mono: true }))}
        />
      )}
      <h2>Deliveries</h2>
      <LiveRegion id="event-deliveries">
        <Table
          caption="Deliveries of this event"
          columns={deliveryColumns}
          rows={deliveries}
          empty={
            <p class="muted empty-line">
              Not delivered anywhere: no enabled endpoint subscribed to this type when it arrived.
            </p>
          }
        />
        {moreDeliveries ? (
          <p class="muted note">
            Showing the newest {String(deliveries.length)}. GET /deliveries?event_id=… lists all.
          </p>
        ) : (
          ""
        )}
      </LiveRegion>
    </Layout>
  );
}
