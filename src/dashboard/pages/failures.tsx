/**
 * /dashboard/failures: failed deliveries across every endpoint, and retrying them in bulk.
 * "Retry these" posts the filters shown to a page that counts what a retry would queue
 * and asks; its Confirm queues every failure the filters match (not just the page shown)
 * and comes back here with a one-time notice of what it did (../flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { bulkRetry, planBulkRetry } from "../../recovery/bulk-retry.ts";
import { encodeCursor } from "../../store/cursor.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { QueryValues } from "../components/index.ts";
import { seeOtherWithNotice } from "../flash.ts";
import { htmlResponse, seeOther } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { ConfirmRetryPage } from "./failures-confirm.tsx";
import { type FailureRow, FailuresPage } from "./failures-list.tsx";
import {
  FAILURES_PATH,
  type FailuresListRequest,
  FILTER_FIELDS,
  failuresHref,
  readFailuresFilter,
  readFailuresList,
  retriedMessage,
  retriedNotice,
} from "./failures-query.ts";
import { refuseForgedPost } from "./forged-post.ts";

export const FAILURES_PER_PAGE = 50;

export function failuresPages(ctx: AppContext) {
  const { store } = ctx;

  /** The page's rows: each failed delivery with its event's type and its endpoint. */
  async function loadRows(request: FailuresListRequest, endpoints: readonly Endpoint[]) {
    const page = await store.deliveries.list(
      { ...request.filter, status: "failed" },
      { limit: FAILURES_PER_PAGE, after: request.after },
    );
    const types = await store.recovery.eventTypesOf(page.items.map((d) => d.eventId));
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const rows: FailureRow[] = page.items.map((delivery) => ({
      delivery,
      eventType: types.get(delivery.eventId),
      endpoint: byId.get(delivery.endpointId),
    }));
    return { rows, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** The list page for `query`: 422 with the form as typed when the filters are refused. */
  async function listPage(
    request: Request,
    query: QueryValues,
    endpoints: readonly Endpoint[],
    listRequest: FailuresListRequest,
  ): Promise<Response> {
    const cookies = pageCookies(request);
    const refused = listRequest.problems.length > 0;
    const { rows, nextCursor } = refused
      ? { rows: [], nextCursor: null }
      : await loadRows(listRequest, endpoints);
    return htmlResponse(
      <FailuresPage
        rows={rows}
        nextCursor={nextCursor}
        query={query}
        values={listRequest.values}
        problems={listRequest.problems}
        cursorProblem={listRequest.cursorProblem}
        firstPage={listRequest.after === undefined}
        endpoints={endpoints}
        csrfToken={cookies.csrfToken}
        notice={retriedMessage(cookies.notice)}
      />,
      { status: refused ? 422 : 200, headers: cookies.headers },
    );
  }

  const endpointIds = (endpoints: readonly Endpoint[]) =>
    new Set(endpoints.map((endpoint) => endpoint.id));

  return (
    new Elysia({ name: "dashboard.failures" })
      .get("/dashboard/failures", async ({ request, query }) => {
        const endpoints = await store.endpoints.list();
        return listPage(request, query, endpoints, readFailuresList(query, endpointIds(endpoints)));
      })
      // The confirmation is the answer to a post; its address opened again (a bookmark, a
      // history entry) goes back to the list rather than to a page that is not there.
      .get("/dashboard/failures/retry", () => seeOther(FAILURES_PATH))
      .get("/dashboard/failures/retry/confirm", () => seeOther(FAILURES_PATH))
      .post("/dashboard/failures/retry", async ({ request, body }) => {
        const refusal = refuseForgedPost(request, body, "failures");
        if (refusal) return refusal;
        const endpoints = await store.endpoints.list();
        const fields = filterFieldsOf(body);
        const { filter, values, problems } = readFailuresFilter(fields, endpointIds(endpoints));
        if (problems.length > 0)
          return refusedFilters(request, fields, endpoints, values, problems);
        const plan = await planBulkRetry(ctx, filter);
        const cookies = pageCookies(request);
        return htmlResponse(
          <ConfirmRetryPage
            plan={plan}
            values={values}
            endpointUrls={new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url]))}
            csrfToken={cookies.csrfToken}
          />,
          { headers: cookies.headers },
        );
      })
      .post("/dashboard/failures/retry/confirm", async ({ request, body }) => {
        const refusal = refuseForgedPost(request, body, "failures");
        if (refusal) return refusal;
        const endpoints = await store.endpoints.list();
        const fields = filterFieldsOf(body);
        const { filter, values, problems } = readFailuresFilter(fields, endpointIds(endpoints));
        if (problems.length > 0)
          return refusedFilters(request, fields, endpoints, values, problems);
        const { queued, skipped } = await bulkRetry(ctx, filter);
        return seeOtherWithNotice(failuresHref(values), retriedNotice(queued, skipped), request);
      })
  );

  /** The list page with the filters as posted and why they were refused (422). */
  function refusedFilters(
    request: Request,
    fields: QueryValues,
    endpoints: readonly Endpoint[],
    values: FailuresListRequest["values"],
    problems: readonly string[],
  ): Promise<Response> {
    const listRequest: FailuresListRequest = {
      filter: {},
      values,
      problems,
      after: undefined,
      cursorProblem: undefined,
    };
    return listPage(request, fields, endpoints, listRequest);
  }
}

/** The filter fields of a posted form, as text; anything else in it is ignored. */
function filterFieldsOf(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof body !== "object" || body === null) return fields;
  for (const name of FILTER_FIELDS) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === "string") fields[name] = value;
  }
  return fields;
}
