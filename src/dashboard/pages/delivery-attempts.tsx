/**
 * A delivery's attempts, oldest first, each with what was sent and what came back. The
 * count above them is the number listed, so the two always agree: the delivery's own
 * `attempt_count` starts again at 0 when it is redelivered by hand, while every attempt
 * stays listed; the list shows where that happened instead.
 */
import type { Delivery, DeliveryAttempt } from "../../store/deliveries.ts";
import { StatusBadge, TextView, Time } from "../components/index.ts";

/** The store keeps 4 KB of each response; the page never shows more, whatever it holds. */
export const RESPONSE_SHOWN_BYTES = 4 * 1024;

/**
 * What an attempt may also hold: the request as sent and the response's headers, where
 * the store keeps them. Each part is shown when present and said to be missing when not,
 * so older attempts (stored before these were kept) read right too.
 */
export interface AttemptExchange {
  readonly requestHeaders?: Readonly<Record<string, string>> | null;
  readonly requestBody?: string | null;
  readonly responseHeaders?: Readonly<Record<string, string>> | null;
}

export type ShownAttempt = DeliveryAttempt & AttemptExchange;

export interface AttemptCounts {
  /** Every attempt listed. */
  readonly total: number;
  /** Those since it was last redelivered by hand (all of them if it never was). */
  readonly sinceRedelivery: number;
}

/**
 * `attemptCount` counts from the last manual redelivery; the list holds every attempt
 * since the delivery was created. The latest `attemptCount` of the list are the current
 * round (never more than are listed).
 */
export function attemptCounts(
  delivery: Pick<Delivery, "attemptCount">,
  attempts: readonly unknown[],
): AttemptCounts {
  const total = attempts.length;
  return { total, sinceRedelivery: Math.max(0, Math.min(delivery.attemptCount, total)) };
}

/** The Attempts fact: the number listed, and how many since a redelivery by hand. */
export function describeAttemptCount({ total, sinceRedelivery }: AttemptCounts): string {
  if (sinceRedelivery === total) return String(total);
  return `${total} (${sinceRedelivery} since it was last redelivered by hand)`;
}

export interface AttemptListProps {
  readonly attempts: readonly ShownAttempt[];
  readonly counts: AttemptCounts;
}

export function AttemptList({ attempts, counts }: AttemptListProps): JSX.Element {
  if (attempts.length === 0) return <p class="muted empty-line">No attempt yet.</p>;
  const earlier = counts.total - counts.sinceRedelivery;
  if (earlier === 0) return <AttemptItems attempts={attempts} first={1} />;
  return (
    <>
      <h3>Before it was last redelivered by hand</h3>
      <AttemptItems attempts={attempts.slice(0, earlier)} first={1} />
      <h3>Since</h3>
      {counts.sinceRedelivery === 0 ? (
        <p class="muted empty-line">No attempt since; the next is due as shown above.</p>
      ) : (
        <AttemptItems attempts={attempts.slice(earlier)} first={earlier + 1} />
      )}
    </>
  );
}

function AttemptItems({
  attempts,
  first,
}: {
  readonly attempts: readonly ShownAttempt[];
  readonly first: number;
}): JSX.Element {
  return (
    <ol class="attempts" start={String(first)}>
      {attempts.map((attempt, index) => (
        <Attempt attempt={attempt} number={first + index} />
      ))}
    </ol>
  );
}

function Attempt({
  attempt,
  number,
}: {
  readonly attempt: ShownAttempt;
  readonly number: number;
}): JSX.Element {
  return (
    <li class="attempt" id={`attempt-${number}`}>
      <div class="attempt-head">
        <strong>{`Attempt ${number}`}</strong>
        <Time value={attempt.attemptedAt} />
        {attempt.statusCode === null ? (
          <span class="muted">no response</span>
        ) : (
          <StatusBadge status={attempt.statusCode} />
        )}
        <span class="num">{`${attempt.durationMs} ms`}</span>
      </div>
      {attempt.error === null || attempt.error === "" ? (
        ""
      ) : (
        <p class="attempt-error" safe>
          {attempt.error}
        </p>
      )}
      <details class="exchange">
        <summary>Request sent</summary>
        <Exchange
          headers={attempt.requestHeaders}
          body={attempt.requestBody}
          missing="hookyard did not keep the request of this attempt."
        />
      </details>
      <details class="exchange" open={hasText(attempt.responseBody)}>
        <summary>Response</summary>
        <Exchange
          headers={attempt.responseHeaders}
          body={attempt.responseBody}
          missing={
            attempt.statusCode === null
              ? "No response came back."
              : "The response had no body, and its headers were not kept."
          }
          maxBytes={RESPONSE_SHOWN_BYTES}
        />
      </details>
    </li>
  );
}

const hasText = (value: string | null | undefined): value is string =>
  typeof value === "string" && value !== "";

interface ExchangeProps {
  readonly headers: Readonly<Record<string, string>> | null | undefined;
  readonly body: string | null | undefined;
  /** Said when neither headers nor body are there. */
  readonly missing: string;
  readonly maxBytes?: number;
}

function Exchange({ headers, body, missing, maxBytes }: ExchangeProps): JSX.Element {
  const headerLines = headers ? Object.entries(headers).map(([n, v]) => `${n}: ${v}`) : [];
  if (headerLines.length === 0 && !hasText(body)) {
    return (
      <p class="muted note" safe>
        {missing}
      </p>
    );
  }
  return (
    <>
      {headerLines.length === 0 ? "" : <TextView text={headerLines.join("\n")} label="Headers" />}
      {hasText(body) ? <TextView text={body} maxBytes={maxBytes} label="Body" /> : ""}
    </>
  );
}
