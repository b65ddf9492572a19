/**
 * `/dashboard/deliveries/:id`: one delivery with its attempts, and the Redeliver button
 * (the dashboard's `POST /deliveries/:id/retry`, with the same rule: a disabled
 * endpoint's delivery is not retried, since it would only wait). The redirect after it
 * carries its notice in a one-time cookie (flash.ts), not in the URL.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { errorPageResponse } from "../components/index.ts";
import { seeOtherWithNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { DeliveryPage } from "./delivery-detail.tsx";
import { readDeliverySnapshot } from "./delivery-snapshot.ts";
import { endpointHref } from "./endpoint-list.tsx";
import { outcomeNotice } from "./endpoint-query.ts";
import { deliveryHref, isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";

export function deliveryPages(ctx: AppContext) {
  const { store } = ctx;

  const findDelivery = (id: string) =>
    isPlausibleText(id) ? store.deliveries.get(id) : Promise.resolve(undefined);

  return new Elysia({ name: "dashboard.deliveries" })
    .get("/dashboard/deliveries/:id", async ({ request, params }) => {
      const snapshot = isPlausibleText(params.id)
        ? await readDeliverySnapshot(store.deliveries, params.id)
        : undefined;
      if (!snapshot) return deliveryNotFound(params.id);
      const { delivery, attempts } = snapshot;
      const [event, endpoint] = await Promise.all([
        store.events.get(delivery.eventId),
        store.endpoints.get(delivery.endpointId),
      ]);
      const page = pageCookies(request);
      return htmlResponse(
        <DeliveryPage
          delivery={delivery}
          event={event}
          endpoint={endpoint}
          attempts={attempts}
          csrfToken={page.csrfToken}
          notice={outcomeNotice(page.notice)}
        />,
        { headers: page.headers },
      );
    })
    .post("/dashboard/deliveries/:id/retry", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const delivery = await findDelivery(params.id);
      if (!delivery) return deliveryNotFound(params.id);
      const endpoint = await store.endpoints.get(delivery.endpointId);
      if (endpoint && !endpoint.enabled) {
        return errorPageResponse({
          status: 409,
          title: "Endpoint disabled",
          message: `The endpoint ${endpoint.url} is disabled, so a redelivery would only wait. Enable it first (${endpointHref(endpoint.id)}).`,
          active: "endpoints",
        });
      }
      const retried = await store.deliveries.retry(delivery.id, ctx.now());
      if (!retried) return deliveryNotFound(params.id);
      await store.wake("deliveries");
      return seeOtherWithNotice(deliveryHref(retried.id), "redelivered", request);
    });
}

function deliveryNotFound(id: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Delivery not found",
    message: `There is no delivery with id "${id}". It may have passed the retention window, or its endpoint was deleted.`,
    active: "endpoints",
  });
}
