/**
 * `/dashboard/relay`: the Svix relay's outbox (counts, messages, one message) and the
 * dashboard's `POST /relay/messages/:id/retry`, with the same rule: only failed, held or
 * queued messages can be queued again. The retry form posts with the CSRF token, is
 * refused unless same-origin (csrf.ts), and redirects (303) with a one-time notice
 * (flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { encodeCursor } from "../../store/cursor.ts";
import { errorPageResponse } from "../components/index.ts";
import { seeOtherWithNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { displayOrigin, isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";
import { RelayMessagePage } from "./relay-detail.tsx";
import { firstNotificationCurl, RelayListPage, relayMessageHref } from "./relay-list.tsx";
import { canRetry, foldRelaySummary, readRelayListQuery } from "./relay-query.ts";

export const RELAY_MESSAGES_PER_PAGE = 50;

export function relayPages(ctx: AppContext) {
  const { store } = ctx;
  const sending = () => ctx.config.svixToken !== undefined;

  const findMessage = (id: string) =>
    isPlausibleText(id) ? store.relay.get(id) : Promise.resolve(undefined);

  return new Elysia({ name: "dashboard.relay" })
    .get("/dashboard/relay", async ({ request, query }) => {
      const { status, project, after, problems } = readRelayListQuery(query);
      const [summary, page] = await Promise.all([
        store.relay.summary(),
        store.relay.list({ status, project }, { limit: RELAY_MESSAGES_PER_PAGE, after }),
      ]);
      return htmlResponse(
        <RelayListPage
          counts={foldRelaySummary(summary)}
          messages={page.items}
          nextCursor={page.next ? encodeCursor(page.next) : null}
          query={query}
          problems={problems}
          filtered={status !== undefined || project !== undefined}
          firstPage={after === undefined}
          sending={sending()}
          firstMessageCommand={firstNotificationCurl(
            displayOrigin(request),
            ctx.config.pubsubToken !== undefined,
          )}
        />,
      );
    })
    .get("/dashboard/relay/:id", async ({ request, params }) => {
      const message = await findMessage(params.id);
      if (!message) return messageNotFound(params.id);
      const page = pageCookies(request);
      return htmlResponse(
        <RelayMessagePage
          message={message}
          csrfToken={page.csrfToken}
          sending={sending()}
          notice={
            page.notice === "retried"
              ? {
                  tone: "ok",
                  message: sending()
                    ? "Queued again: it is sent now, with a fresh RELAY_MAX_AGE window."
                    : "Queued again: it is sent once hookyard runs with SVIX_TOKEN set.",
                }
              : undefined
          }
        />,
        { headers: page.headers },
      );
    })
    .post("/dashboard/relay/:id/retry", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "relay");
      if (refusal) return refusal;
      const message = await findMessage(params.id);
      if (!message) return messageNotFound(params.id);
      if (!canRetry(message)) {
        return errorPageResponse({
          status: 409,
          title: "Cannot retry",
          message: `This message is ${message.status}; only failed, held or queued messages can be retried.`,
          active: "relay",
        });
      }
      const retried = await store.relay.retry(message.id, ctx.now());
      if (!retried) return messageNotFound(params.id);
      await store.wake("relay");
      return seeOtherWithNotice(relayMessageHref(retried.id), "retried", request);
    });
}

function messageNotFound(id: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Relay message not found",
    message: `There is no relay message with id "${id}". Sent messages pass the retention window.`,
    active: "relay",
  });
}
