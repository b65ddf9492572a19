/**
 * What the endpoint and delivery pages read from their query and forms: pure functions,
 * no HTTP context, no store. Routes are in endpoints.tsx and delivery-routes.tsx.
 */
import { DELIVERY_STATUSES } from "../../delivery/model.ts";
import { decodeTimeCursor, type TimeCursor } from "../../store/cursor.ts";
import type { DeliveryStatus } from "../../store/deliveries.ts";
import { type QueryValues, queryValue } from "../components/index.ts";
import type { PageNotice } from "./endpoint-list.tsx";

export interface DeliveryListRequest {
  readonly status: DeliveryStatus | undefined;
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
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    problems.push("That page link is not valid (any more): showing the newest deliveries.");
  }
  return { status, after, problems };
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

export function outcomeNotice(keyword: string | undefined): PageNotice | undefined {
  // hasOwn: a keyword `constructor` must not find Object.prototype's.
  return keyword !== undefined && Object.hasOwn(OUTCOME_NOTICES, keyword)
    ? OUTCOME_NOTICES[keyword]
    : undefined;
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
