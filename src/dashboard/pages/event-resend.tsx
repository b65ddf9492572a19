/**
 * Resending one event from its page: `POST /dashboard/events/:id/resend` first answers a
 * page that names every endpoint it would go to, and only its Confirm button (the same
 * post with `confirm=1`) sends, through the same service as `POST /events/:id/resend`.
 * The count comes before the action because a resend reaches every endpoint that takes
 * the event now, which may be more, or others, than the first time.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { resend, resendTargets } from "../../recovery/service.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { StoredEvent } from "../../store/events.ts";
import { type Column, markup, PostButton, Table } from "../components/index.ts";
import { seeOtherWithNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { Layout } from "../layout.tsx";
import { pageCookies } from "../page-cookies.ts";
import { endpointHref, type PageNotice } from "./endpoint-list.tsx";
import { formField } from "./endpoint-query.ts";
import { eventNotFound } from "./event-detail.tsx";
import { eventHref, isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";

export const resendHref = (eventId: string): string => `${eventHref(eventId)}/resend`;

const endpoints = (count: number) => (count === 1 ? "1 endpoint" : `${count} endpoints`);

/** The notice the event page shows once after a resend (`resent:N`, flash.ts). */
export function resentNotice(notice: string | undefined): PageNotice | undefined {
  const match = notice?.match(/^resent:(\d{1,9})$/);
  if (!match) return undefined;
  const count = Number(match[1]);
  return count === 0
    ? { tone: "warn", message: "Nothing was sent: no enabled endpoint takes this event now." }
    : { tone: "ok", message: `Resent to ${endpoints(count)}.` };
}

export function eventResendPages(ctx: AppContext) {
  return new Elysia({ name: "dashboard.events.resend" }).post(
    "/dashboard/events/:id/resend",
    async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "events");
      if (refusal) return refusal;
      const event = isPlausibleText(params.id) ? await ctx.store.events.get(params.id) : undefined;
      if (!event) return eventNotFound(params.id);
      if (formField(body, "confirm") === "1") {
        const queued = await resend(ctx, event.id);
        return seeOtherWithNotice(eventHref(event.id), `resent:${queued}`, request);
      }
      const page = pageCookies(request);
      const targets = resendTargets(event, await ctx.store.endpoints.list());
      return htmlResponse(
        <ResendConfirmPage event={event} targets={targets} csrfToken={page.csrfToken} />,
        { headers: page.headers },
      );
    },
  );
}

export interface ResendConfirmPageProps {
  readonly event: Pick<StoredEvent, "id" | "type">;
  /** The endpoints the resend would go to now (resendTargets). */
  readonly targets: readonly Endpoint[];
  readonly csrfToken: string;
}

const targetColumns: readonly Column<Endpoint>[] = [
  {
    header: "URL",
    cell: (endpoint) =>
      markup(
        <a href={endpointHref(endpoint.id)} safe>
          {endpoint.url}
        </a>,
      ),
    class: "mono",
  },
  { header: "Description", cell: (endpoint) => endpoint.description, class: "wrap" },
  { header: "Event types", cell: (endpoint) => endpoint.eventTypes.join(", "), class: "mono" },
];

export function ResendConfirmPage({
  event,
  targets,
  csrfToken,
}: ResendConfirmPageProps): JSX.Element {
  const what = `event ${event.type} (${event.id})`;
  const cancel = (
    <a href={eventHref(event.id)} class="btn btn-quiet">
      {targets.length === 0 ? "Back to the event" : "Cancel"}
    </a>
  );
  if (targets.length === 0) {
    return (
      <Layout title="Resend event" active="events" csrfToken={csrfToken}>
        <p safe>
          {`Nothing would be sent: no enabled endpoint takes ${what} now. Subscribe or enable an endpoint first.`}
        </p>
        <div class="page-actions">{cancel}</div>
      </Layout>
    );
  }
  return (
    <Layout title="Resend event?" active="events" csrfToken={csrfToken}>
      <p safe>{`This sends ${what} again to ${endpoints(targets.length)}:`}</p>
      <Table caption="Endpoints the event goes to" columns={targetColumns} rows={targets} />
      <p class="muted">
        Each gets a new delivery with the event's webhook-id, so a receiver that already has it may
        drop it as a duplicate.
      </p>
      <div class="page-actions confirm-actions">
        <PostButton
          action={resendHref(event.id)}
          csrfToken={csrfToken}
          label="Confirm"
          fields={{ confirm: "1" }}
        />
        {cancel}
      </div>
    </Layout>
  );
}
