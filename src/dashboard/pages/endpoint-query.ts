/**
 * What the endpoint and delivery pages read from their query and forms: pure functions,
 * no HTTP context, no store. Routes are in endpoints.tsx and delivery-routes.tsx.
 */
import { DELIVERY_STATUSES } from "../../delivery/model.ts";
import { decodeTimeCursor, type TimeCursor } from "../../store/cursor.ts";
import type { DeliveryAttempt, DeliveryStatus } from "../../store/deliveries.ts";
import { typeFilterProblem } from "../../store/event-filter.ts";
import { type QueryValues, queryValue } from "../components/index.ts";
import { splitNotice } from "../flash.ts";
import type { PageNotice } from "./endpoint-list.tsx";
import { parseFilterTime } from "./failures-query.ts";

export interface DeliveryListRequest {
  readonly status: DeliveryStatus | undefined;
  /** An exact event type or `prefix.*`, as GET /deliveries reads it. */
  readonly eventType: string | undefined;
  /** Created at or after, at or before (datetime-local values read as UTC). */
  readonly since: Date | undefined;
  readonly until: Date | undefined;
  readonly after: TimeCursor | undefined;
  /** What was ignored, and why: shown above the list rather than failing the page. */
  readonly problems: readonly string[];
}

/** An endpoint page's delivery filter and page from its query. */
export function readDeliveryListQuery(query: QueryValues): DeliveryListRequest {
  const problems: string[] = [];
  const statusText = queryValue(query, "status");
  const status = (DELIVERY_STATUSES as readonly string[]).includes(statusText ?? "")
    ? (statusText as DeliveryStatus)
    : undefined;
  if (statusText !== undefined && status === undefined) {
    problems.push(`The status filter was ignored: expected ${DELIVERY_STATUSES.join(", ")}.`);
  }
  const typeText = queryValue(query, "type")?.trim() || undefined;
  const typeProblem = typeText === undefined ? undefined : typeFilterProblem(typeText);
  if (typeProblem !== undefined)
    problems.push(`The event type filter was ignored: ${typeProblem}.`);
  const eventType = typeProblem === undefined && typeText !== "*" ? typeText : undefined;
  const time = (name: "since" | "until", label: string) => {
    const text = queryValue(query, name)?.trim() || undefined;
    const date = text === undefined ? undefined : parseFilterTime(text);
    if (text !== undefined && date === undefined) {
      problems.push(
        `The ${label} filter was ignored: expected a date and time in UTC such as 2026-11-22T10:00.`,
      );
    }
    return date;
  };
  const since = time("since", "since");
  let until = time("until", "until");
  if (since && until && until.getTime() < since.getTime()) {
    problems.push("The until filter was ignored: it is before since.");
    until = undefined;
  }
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    problems.push("That page link is not valid (any more): showing the newest deliveries.");
  }
  return { status, eventType, since, until, after, problems };
}

/**
 * What the page after an action says, once (flash.ts): the redirect names a keyword,
 * looked up here, so a planted cookie cannot make the page say anything else.
 */
export const OUTCOME_NOTICES: Readonly<Record<string, PageNotice>> = {
  created: {
    tone: "ok",
    message:
      "Endpoint created. Give its signing secret (below) to the receiver, so it can verify each request.",
  },
  saved: { tone: "ok", message: "Endpoint saved: the next attempt uses these settings." },
  enabled: { tone: "ok", message: "Endpoint enabled: its waiting deliveries are sent now." },
  disabled: {
    tone: "ok",
    message:
      "Endpoint disabled: nothing is sent to it, and its deliveries wait, until it is enabled.",
  },
  rotated: {
    tone: "warn",
    message:
      "Secret rotated: deliveries are signed with the new secret (below) from now on. Give it to the receiver.",
  },
  deleted: { tone: "ok", message: "Endpoint deleted, with its deliveries and their attempts." },
  redelivered: {
    tone: "ok",
    message: "Redelivery queued: it is attempted now, with a fresh retry schedule.",
  },
};

/** The notices that carry a count: `recovered:12` after a recover, `replayed:3` after a replay. */
const QUEUED_NOTICES: Readonly<Record<string, string>> = {
  recovered:
    "failed deliveries to this endpoint are attempted again now, each with a fresh retry schedule.",
  replayed: "the events this endpoint had missed are delivered to it now.",
};

export function outcomeNotice(notice: string | undefined): PageNotice | undefined {
  const [keyword, argument] = splitNotice(notice);
  if (keyword === undefined) return undefined;
  if (argument !== undefined) {
    if (!Object.hasOwn(QUEUED_NOTICES, keyword) || !/^\d{1,12}$/.test(argument)) return undefined;
    const n = Number(argument);
    return {
      tone: "ok",
      message: `Queued ${n} ${n === 1 ? "delivery" : "deliveries"}: ${QUEUED_NOTICES[keyword]}`,
    };
  }
  // hasOwn: a keyword `constructor` must not find Object.prototype's.
  return Object.hasOwn(OUTCOME_NOTICES, keyword) ? OUTCOME_NOTICES[keyword] : undefined;
}

/** What a test event's one attempt came to, for the notice on the endpoint's page. */
export function describeTestOutcome(
  delivered: boolean,
  attempt: Pick<DeliveryAttempt, "statusCode" | "durationMs" | "error">,
): PageNotice {
  const answer = attempt.statusCode === null ? "no response" : `HTTP ${attempt.statusCode}`;
  const error = attempt.error === null || attempt.error === "" ? "" : `: ${attempt.error}`;
  return delivered
    ? { tone: "ok", message: `Test event delivered: ${answer} in ${attempt.durationMs} ms.` }
    : {
        tone: "bad",
        message: `Test event failed: ${answer} after ${attempt.durationMs} ms${error}.`,
      };
}

/** The `enabled` a toggle form asked for; a form without it flips the current state. */
export function requestedEnabled(value: unknown, current: boolean): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  return !current;
}

type FormBody = Readonly<Record<string, unknown>> | undefined;

/** One field of a parsed form body (Elysia gives an object for urlencoded forms). */
export const formField = (body: unknown, name: string): unknown => (body as FormBody)?.[name];
