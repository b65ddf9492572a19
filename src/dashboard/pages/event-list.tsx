/**
 * `/dashboard`: the events that came in, newest first, with filters (source, type or type
 * prefix, entity, text, time window), paging, the events-per-minute chart, and the first
 * page kept up to date live. Rendering only: events.tsx loads the page and passes it in.
 */

import type { StoredEvent } from "../../store/events.ts";
import {
  type Column,
  EmptyState,
  FilterForm,
  LiveRegion,
  markup,
  Notice,
  Pager,
  type QueryValues,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { entityHref, eventHref, payloadPreview, sourceOptions } from "./event-display.ts";

export interface EventListPageProps {
  readonly events: readonly StoredEvent[];
  readonly nextCursor: string | null;
  readonly query: QueryValues;
  /** The filters' values as the form shows them (times as datetime-local values, in UTC). */
  readonly formValues: QueryValues;
  /** Filters or a cursor that were ignored, and why. */
  readonly problems: readonly string[];
  /** Filter values that cannot be read: nothing is listed (the page answers 422). */
  readonly invalid: readonly string[];
  readonly filtered: boolean;
  /** A list past its first page is not kept live: the reader is looking at older events. */
  readonly firstPage: boolean;
  /** Events per minute over the last day (charts/index.ts); "" when there is none to draw. */
  readonly chart: JSX.Element;
  /** Set when the database stopped the text search at this limit: nothing was listed. */
  readonly searchStoppedAfterMs?: number | undefined;
  /** The curl line the empty state offers, and whether it must be signed to be accepted. */
  readonly firstEventCommand: string;
  readonly signingRequired: boolean;
  /** The gateway's sources by name, offered beside the built-in ones. */
  readonly sourceNames: readonly string[];
}

/** An event's type, linking to its page: the first column of every list of events. */
export const EVENT_TYPE_COLUMN: Column<StoredEvent> = {
  header: "Type",
  cell: (e) =>
    markup(
      <a href={eventHref(e.id)} safe>
        {e.type}
      </a>,
    ),
  class: "mono",
};

/**
 * The links (type → the event, entity → its history) come first: on a phone they are
 * what shows before the table scrolls sideways.
 */
const columns: readonly Column<StoredEvent>[] = [
  EVENT_TYPE_COLUMN,
  {
    header: "Entity",
    cell: (e) =>
      e.entityId === null
        ? null
        : markup(
            <a href={entityHref(e.entityId)} title={e.entityType ?? undefined} safe>
              {e.entityId}
            </a>,
          ),
    class: "mono",
  },
  { header: "Received", cell: (e) => markup(<Time value={e.receivedAt} />), class: "nowrap" },
  { header: "Source", cell: (e) => e.source, class: "nowrap" },
  {
    header: "Payload",
    cell: (e) => markup(<code safe>{payloadPreview(e)}</code>),
    class: "wrap",
  },
];

export function EventListPage(props: EventListPageProps): JSX.Element {
  // Nor is a search that was stopped kept live: fetching the page again would run it again.
  const live =
    props.firstPage && props.searchStoppedAfterMs === undefined && props.invalid.length === 0;
  return (
    <Layout title="Events" active="events" live={live ? { topics: ["events"] } : undefined}>
      {props.invalid.map((problem) => (
        <Notice tone="bad" message={problem} />
      ))}
      {props.problems.map((problem) => (
        <Notice tone="warn" message={problem} />
      ))}
      {props.searchStoppedAfterMs === undefined ? null : (
        <Notice tone="warn" message={searchStoppedMessage(props.searchStoppedAfterMs)} />
      )}
      <FilterForm
        action="/dashboard"
        values={props.formValues}
        fields={[
          {
            kind: "select",
            name: "source",
            label: "Source",
            options: sourceOptions(props.sourceNames),
          },
          { name: "type", label: "Type", placeholder: "task.update or task.*", mono: true },
          { name: "entity_id", label: "Entity id", mono: true },
          { name: "q", label: "Text", inputType: "search", placeholder: "in type, id, payload" },
          { name: "since", label: "Since (UTC)", inputType: "datetime-local" },
          { name: "until", label: "Until (UTC)", inputType: "datetime-local" },
        ]}
      />
      <LiveRegion id="events-chart">{props.chart}</LiveRegion>
      {props.invalid.length > 0 ? (
        <Unreadable />
      ) : (
        <LiveRegion id="events-list">
          <Table
            caption="Events, newest first"
            columns={columns}
            rows={props.events}
            empty={
              props.searchStoppedAfterMs !== undefined ? (
                <SearchStopped />
              ) : props.filtered || !props.firstPage ? (
                <NoMatch />
              ) : (
                <NoEvents {...props} />
              )
            }
          />
          <Pager path="/dashboard" query={props.query} nextCursor={props.nextCursor} />
        </LiveRegion>
      )}
    </Layout>
  );
}

function NoEvents({ firstEventCommand, signingRequired }: EventListPageProps): JSX.Element {
  const signing = signingRequired
    ? " EVENTS_WEBHOOK_SECRET is set, so sign the request with Standard Webhooks headers first."
    : "";
  return (
    <EmptyState
      title="No events yet"
      text={`Events from GitHub, your app's backend, triggers and hooks appear here as they arrive. Send a first one with curl:${signing}`}
      code={firstEventCommand}
    />
  );
}

export const searchStoppedMessage = (ms: number) =>
  `The text search was stopped after ${ms / 1000} s: it went through every stored event without filling a page. Narrow it with a source, a type or an entity id.`;

function SearchStopped(): JSX.Element {
  return (
    <section class="empty-state">
      <h2>Search stopped</h2>
      <p>
        Nothing is listed because the search did not finish.{" "}
        <a href="/dashboard">Show all events</a>
      </p>
    </section>
  );
}

function Unreadable(): JSX.Element {
  return (
    <section class="empty-state">
      <h2>Nothing listed</h2>
      <p>
        A filter above cannot be read, so no events were looked up. Correct it, or{" "}
        <a href="/dashboard">show all events</a>.
      </p>
    </section>
  );
}

function NoMatch(): JSX.Element {
  return (
    <section class="empty-state">
      <h2>No matching events</h2>
      <p>
        Nothing here matches these filters (older events may have passed the retention window).{" "}
        <a href="/dashboard">Show all events</a>
      </p>
    </section>
  );
}
