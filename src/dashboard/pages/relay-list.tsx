/**
 * `/dashboard/relay`: the Svix relay's outbox. Counts by status and by project (each a
 * link to the messages it counts), then the messages newest first, filtered and paged.
 * Rendering only: relay.tsx loads.
 */

import { RELAY_STATUSES } from "../../relay/model.ts";
import type { RelayMessage, RelayStatus } from "../../store/relay.ts";
import {
  attr,
  type Column,
  EmptyState,
  FilterForm,
  hrefWith,
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
import { shellQuote } from "./event-display.ts";
import { type ProjectCounts, type RelayCounts, truncateText } from "./relay-query.ts";

export const RELAY_PATH = "/dashboard/relay";
/**
 * Seconds between fetches of the first page's figures: the queue drains while one watches,
 * and sends to Svix are not announced on the dashboard's stream.
 */
export const RELAY_POLL_SECONDS = 5;
/** Enough of an error to tell one failure from another; the message page has the rest. */
export const ERROR_PREVIEW_CHARS = 160;

export const relayMessageHref = (id: string): string => `${RELAY_PATH}/${encodeURIComponent(id)}`;

export interface RelayListPageProps {
  readonly counts: RelayCounts;
  readonly messages: readonly RelayMessage[];
  readonly nextCursor: string | null;
  readonly query: QueryValues;
  readonly problems: readonly string[];
  readonly filtered: boolean;
  readonly firstPage: boolean;
  /** SVIX_TOKEN is set: without it nothing is sent and messages are held. */
  readonly sending: boolean;
  /** The curl the empty page offers, for this server. */
  readonly firstMessageCommand: string;
}

/** A curl that posts a first event to /notifications (with `?token=` when PUBSUB_TOKEN is set). */
export function firstNotificationCurl(origin: string, tokenRequired: boolean): string {
  // The origin comes from the request's Host: quoted. The token is left to the shell.
  const url = `${shellQuote(`${origin}/notifications`)}${tokenRequired ? '"?token=$PUBSUB_TOKEN"' : ""}`;
  const body = JSON.stringify({ id: "evt_1", type: "user.created", project: "dev", data: {} });
  return [
    `curl -X POST ${url} \\`,
    "  -H 'content-type: application/json' \\",
    `  -d ${shellQuote(body)}`,
  ].join("\n");
}

const STATUS_LABELS: Readonly<Record<RelayStatus, string>> = {
  queued: "Queued",
  held: "Held",
  sent: "Sent",
  failed: "Failed",
  rejected: "Rejected",
};

/** A count that links to the messages it counts; zero is plain text. */
function countLink(count: number, filter: { status?: RelayStatus; project?: string }) {
  if (count === 0) return 0;
  return markup(
    <a href={attr(hrefWith(RELAY_PATH, {}, filter))} safe>
      {String(count)}
    </a>,
  );
}

const statusColumns: readonly Column<{ status: RelayStatus; count: number }>[] = [
  { header: "Status", cell: (r) => markup(<StatusBadge status={r.status} />), class: "nowrap" },
  { header: "Messages", cell: (r) => countLink(r.count, { status: r.status }), class: "num" },
];

const projectColumns: readonly Column<ProjectCounts>[] = [
  {
    header: "Project",
    cell: (p) =>
      p.project === null
        ? "(none: rejected envelopes)"
        : markup(
            <a href={attr(hrefWith(RELAY_PATH, {}, { project: p.project }))} safe>
              {p.project}
            </a>,
          ),
    class: "mono",
  },
  ...RELAY_STATUSES.map(
    (status): Column<ProjectCounts> => ({
      header: STATUS_LABELS[status],
      cell: (p) =>
        countLink(p.counts[status], {
          status,
          ...(p.project === null ? {} : { project: p.project }),
        }),
      class: "num",
    }),
  ),
  { header: "Total", cell: (p) => p.total, class: "num" },
];

const messageColumns: readonly Column<RelayMessage>[] = [
  { header: "Received", cell: (m) => markup(<Time value={m.receivedAt} />), class: "nowrap" },
  { header: "Project", cell: (m) => m.project, class: "mono" },
  {
    header: "Event type",
    cell: (m) =>
      markup(
        <a href={relayMessageHref(m.id)} safe>
          {m.eventType ?? "(no valid event)"}
        </a>,
      ),
    class: "mono",
  },
  { header: "Event id", cell: (m) => m.eventId, class: "mono" },
  { header: "Status", cell: (m) => markup(<StatusBadge status={m.status} />), class: "nowrap" },
  { header: "Attempts", cell: (m) => m.attemptCount, class: "num" },
  {
    header: "Next attempt",
    cell: (m) => (m.status === "queued" ? markup(<Time value={m.nextAttemptAt} />) : null),
    class: "nowrap",
  },
  {
    header: "Last error",
    cell: (m) => truncateText(m.lastError, ERROR_PREVIEW_CHARS),
    class: "wrap",
  },
];

/** Shown on every relay page while SVIX_TOKEN is unset. */
export function HeldNotice(): JSX.Element {
  return (
    <Notice
      tone="warn"
      message="SVIX_TOKEN is not set: messages are accepted and kept as held, and nothing is sent to Svix. Set it and restart hookyard to send them."
    />
  );
}

export function RelayListPage(props: RelayListPageProps): JSX.Element {
  return (
    <Layout
      title="Svix relay"
      active="relay"
      live={props.firstPage ? { topics: [], pollSeconds: RELAY_POLL_SECONDS } : undefined}
    >
      {props.sending ? "" : <HeldNotice />}
      <LiveRegion id="relay">{relayContent(props)}</LiveRegion>
    </Layout>
  );
}

function relayContent(props: RelayListPageProps): JSX.Element {
  const { counts } = props;
  const projectOptions = counts.byProject.flatMap((p) =>
    p.project === null ? [] : [{ value: p.project, label: p.project }],
  );
  return (
    <>
      {counts.total === 0 ? (
        <EmptyState
          title="No relay messages yet"
          text="Events posted to /notifications (raw, or as Google Pub/Sub push envelopes) are stored here and sent to Svix, in the application named by their project."
          code={props.firstMessageCommand}
        />
      ) : (
        <>
          <h2>By status</h2>
          <Table
            caption="Messages by status"
            columns={statusColumns}
            rows={RELAY_STATUSES.map((status) => ({ status, count: counts.byStatus[status] }))}
          />
          <h2>By project</h2>
          <Table caption="Messages by project" columns={projectColumns} rows={counts.byProject} />
          <h2>Messages</h2>
          {props.problems.map((message) => (
            <Notice tone="warn" message={message} />
          ))}
          <FilterForm
            action={RELAY_PATH}
            values={props.query}
            fields={[
              {
                name: "status",
                label: "Status",
                kind: "select",
                options: RELAY_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
              },
              { name: "project", label: "Project", kind: "select", options: projectOptions },
            ]}
          />
          <Table
            caption="Relay messages, newest first"
            columns={messageColumns}
            rows={props.messages}
            empty={
              <p class="muted empty-line">
                {props.filtered ? "No message matches these filters." : "No messages."}
              </p>
            }
          />
          <Pager path={RELAY_PATH} query={props.query} nextCursor={props.nextCursor} />
        </>
      )}
    </>
  );
}
