/**
 * `/dashboard/entities/:id`: one entity's history and where it ended up: the state
 * folded from its events (as `/aggregates/:id` answers it), then the timeline, oldest
 * first, each event with its action, time and the fields it carried.
 */

import type { EntityAggregate } from "../../ingest/entities/aggregate.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  type Column,
  JsonView,
  KeyValue,
  markup,
  Notice,
  StatusBadge,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { modifiedFields, payloadPreview } from "./event-display.ts";
import { EVENT_TYPE_COLUMN } from "./event-list.tsx";

/** The most recent events the timeline shows; the API returns the whole history. */
export const TIMELINE_LIMIT = 500;

export interface EntityPageProps {
  readonly entityId: string;
  /** All its events, oldest first. */
  readonly events: readonly StoredEvent[];
  /** Undefined when none of the events is an entity event. */
  readonly state: EntityAggregate | undefined;
}

const timelineColumns: readonly Column<StoredEvent>[] = [
  { header: "Occurred", cell: (e) => markup(<Time value={e.occurredAt} />), class: "nowrap" },
  {
    header: "Action",
    cell: (e) => markup(<StatusBadge status={e.action ?? e.type} />),
    class: "nowrap",
  },
  EVENT_TYPE_COLUMN,
  { header: "Modified fields", cell: (e) => modifiedFields(e)?.join(", "), class: "mono" },
  {
    header: "Fields",
    cell: (e) => markup(<code safe>{payloadPreview(e, 400)}</code>),
    class: "wrap",
  },
  { header: "Received", cell: (e) => markup(<Time value={e.receivedAt} />), class: "nowrap" },
];

export function EntityPage({ entityId, events, state }: EntityPageProps): JSX.Element {
  const shown = events.slice(-TIMELINE_LIMIT);
  return (
    <Layout
      title={`Entity ${entityId}`}
      active="events"
      actions={
        <a
          href={`/dashboard?entity_id=${encodeURIComponent(entityId)}`}
          class="btn btn-small btn-quiet"
        >
          In the event list
        </a>
      }
    >
      <h2>State</h2>
      {state === undefined ? (
        <Notice message="None of these events is an entity create, update or delete, so there is no state to fold." />
      ) : (
        <StateView state={state} />
      )}
      <h2>Timeline</h2>
      {shown.length < events.length ? (
        <p class="muted note">
          {`Showing the last ${shown.length} of ${events.length} events. GET /entities/:id returns them all.`}
        </p>
      ) : (
        ""
      )}
      <Table caption="Events, oldest first" columns={timelineColumns} rows={shown} />
    </Layout>
  );
}

function StateView({ state }: { readonly state: EntityAggregate }): JSX.Element {
  return (
    <>
      <KeyValue
        items={[
          { label: "Entity type", value: state.entity_type },
          {
            label: "Status",
            value: markup(<StatusBadge status={state.deleted ? "deleted" : "active"} />),
          },
          { label: "Version (events folded)", value: state.version },
          { label: "Created", value: markup(<Time value={state.created_at} />) },
          { label: "Updated", value: markup(<Time value={state.updated_at} />) },
        ]}
      />
      <JsonView value={state.state} copyable label="State" />
    </>
  );
}
