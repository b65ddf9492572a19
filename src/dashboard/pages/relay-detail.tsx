/**
 * `/dashboard/relay/:id`: one relay message, its payload as received, its last error,
 * and a Retry button while it can still be sent. Rendering only: relay.tsx loads.
 */

import type { RelayMessage } from "../../store/relay.ts";
import {
  JsonView,
  KeyValue,
  markup,
  Notice,
  PostButton,
  StatusBadge,
  TextView,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import type { PageNotice } from "./endpoint-list.tsx";
import { HeldNotice, RELAY_PATH, relayMessageHref } from "./relay-list.tsx";
import { canRetry } from "./relay-query.ts";

export interface RelayMessagePageProps {
  readonly message: RelayMessage;
  readonly csrfToken: string;
  readonly sending: boolean;
  readonly notice?: PageNotice | undefined;
}

export function RelayMessagePage({
  message,
  csrfToken,
  sending,
  notice,
}: RelayMessagePageProps): JSX.Element {
  return (
    <Layout
      title={`Relay message ${message.eventType ?? "(no valid event)"}`}
      active="relay"
      csrfToken={csrfToken}
      actions={
        <>
          {canRetry(message) ? (
            <PostButton
              action={`${relayMessageHref(message.id)}/retry`}
              csrfToken={csrfToken}
              label="Retry"
              confirm="Queue this message again now, with a fresh RELAY_MAX_AGE window?"
            />
          ) : (
            ""
          )}
          <a href={RELAY_PATH} class="btn btn-small btn-quiet">
            All messages
          </a>
        </>
      }
    >
      {notice === undefined ? "" : <Notice tone={notice.tone} message={notice.message} />}
      {sending ? "" : <HeldNotice />}
      <KeyValue
        items={[
          { label: "Id", value: message.id, mono: true },
          { label: "Status", value: markup(<StatusBadge status={message.status} />) },
          { label: "Project", value: message.project, mono: true },
          { label: "Event type", value: message.eventType, mono: true },
          { label: "Event id", value: message.eventId, mono: true },
          { label: "Attempts", value: message.attemptCount },
          { label: "Received", value: markup(<Time value={message.receivedAt} />) },
          { label: "Queued", value: markup(<Time value={message.queuedAt} />) },
          { label: "Last attempt", value: markup(<Time value={message.lastAttemptAt} />) },
          {
            label: "Next attempt",
            value:
              message.status === "queued" ? markup(<Time value={message.nextAttemptAt} />) : null,
          },
          { label: "Sent", value: markup(<Time value={message.sentAt} />) },
          { label: "Svix message id", value: message.svixMessageId, mono: true },
          { label: "Pub/Sub message id", value: message.pubsubMessageId, mono: true },
        ]}
      />
      {message.lastError === null ? (
        ""
      ) : (
        <>
          <h2>{message.status === "rejected" ? "Why it was rejected" : "Last error"}</h2>
          <TextView text={message.lastError} label="Last error" />
        </>
      )}
      <h2>{message.status === "rejected" ? "Envelope as received" : "Payload"}</h2>
      <JsonView value={message.payload} copyable label="Payload" />
    </Layout>
  );
}
