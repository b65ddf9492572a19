/**
 * `/dashboard/endpoints`: register, inspect, disable, re-key and delete the endpoints
 * events are delivered to, and follow each delivery (delivery-routes.tsx). Creating and
 * updating go through delivery/endpoints-service.ts, so the form and `POST /endpoints`
 * apply the same rules (URL, SSRF guard, event type filters, secret).
 *
 * Every form posts with the CSRF token and is refused unless same-origin (csrf.ts), then
 * redirects (303) so that a reload repeats nothing.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import {
  createEndpoint,
  rotateEndpointSecret,
  updateEndpoint,
} from "../../delivery/endpoints-service.ts";
import { ApiError } from "../../http/errors.ts";
import { encodeCursor } from "../../store/cursor.ts";
import type { Delivery } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import { errorPageResponse } from "../components/index.ts";
import { issueCsrfToken } from "../csrf.ts";
import { htmlResponse, seeOther } from "../html.ts";
import { deliveryPages } from "./delivery-routes.tsx";
import type { DeliveryRow } from "./endpoint-detail.tsx";
import { EndpointPage } from "./endpoint-detail.tsx";
import {
  EMPTY_ENDPOINT_FORM,
  type EndpointFormValues,
  endpointCreateBody,
  isFieldProblemList,
  problemsByField,
  readEndpointForm,
} from "./endpoint-form.ts";
import { EndpointListPage, endpointHref, type PageNotice } from "./endpoint-list.tsx";
import {
  formField,
  outcomeNotice,
  readDeliveryListQuery,
  requestedEnabled,
} from "./endpoint-query.ts";
import { isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";

export const DELIVERIES_PER_PAGE = 50;

interface ListExtras {
  readonly status?: number;
  readonly form?: EndpointFormValues;
  readonly problems?: Readonly<Record<string, readonly string[]>>;
  readonly notice?: PageNotice | undefined;
}

export function endpointsPages(ctx: AppContext) {
  const { store } = ctx;

  const renderList = async (request: Request, extras: ListExtras = {}) => {
    const csrf = issueCsrfToken(request);
    const endpoints = await store.endpoints.list();
    return htmlResponse(
      <EndpointListPage
        endpoints={endpoints}
        csrfToken={csrf.token}
        form={extras.form ?? EMPTY_ENDPOINT_FORM}
        problems={extras.problems ?? {}}
        notice={extras.notice}
      />,
      { status: extras.status, headers: csrf.headers },
    );
  };

  const findEndpoint = async (id: string): Promise<Endpoint | undefined> =>
    isPlausibleText(id) ? store.endpoints.get(id) : undefined;

  /**
   * Each row's event type. Deliveries hold only the event id; one lookup per distinct
   * event on the page (at most DELIVERIES_PER_PAGE) is the price of not widening the store.
   */
  const withEventTypes = async (deliveries: readonly Delivery[]): Promise<DeliveryRow[]> => {
    const ids = [...new Set(deliveries.map((d) => d.eventId))];
    const events = await Promise.all(ids.map((id) => store.events.get(id)));
    const types = new Map(ids.map((id, index) => [id, events[index]?.type]));
    return deliveries.map((delivery) => ({ delivery, eventType: types.get(delivery.eventId) }));
  };

  return new Elysia({ name: "dashboard.endpoints" })
    .get("/dashboard/endpoints", ({ request, query }) =>
      renderList(request, { notice: outcomeNotice(query) }),
    )
    .post("/dashboard/endpoints", async ({ request, body }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const form = readEndpointForm(body);
      let endpoint: Endpoint;
      try {
        endpoint = await createEndpoint(ctx, endpointCreateBody(form));
      } catch (error) {
        if (
          error instanceof ApiError &&
          error.status === 422 &&
          isFieldProblemList(error.details)
        ) {
          return renderList(request, {
            status: 422,
            form,
            problems: problemsByField(error.details),
          });
        }
        throw error;
      }
      return seeOther(`${endpointHref(endpoint.id)}?done=created`);
    })
    .get("/dashboard/endpoints/:id", async ({ request, params, query }) => {
      const endpoint = await findEndpoint(params.id);
      if (!endpoint) return endpointNotFound(params.id);
      const { status, after, problems } = readDeliveryListQuery(query);
      const page = await store.deliveries.list(
        { endpointId: endpoint.id, status },
        { limit: DELIVERIES_PER_PAGE, after },
      );
      const csrf = issueCsrfToken(request);
      return htmlResponse(
        <EndpointPage
          endpoint={endpoint}
          deliveries={await withEventTypes(page.items)}
          nextCursor={page.next ? encodeCursor(page.next) : null}
          query={query}
          csrfToken={csrf.token}
          notice={outcomeNotice(query)}
          problems={problems}
        />,
        { headers: csrf.headers },
      );
    })
    .post("/dashboard/endpoints/:id/toggle", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const endpoint = await findEndpoint(params.id);
      if (!endpoint) return endpointNotFound(params.id);
      const enabled = requestedEnabled(formField(body, "enabled"), endpoint.enabled);
      const updated = await updateEndpoint(ctx, endpoint.id, { enabled });
      if (!updated) return endpointNotFound(params.id);
      // Its deliveries waited while it was disabled: let the workers know they are due.
      if (enabled) await store.wake("deliveries");
      return seeOther(`${endpointHref(endpoint.id)}?done=${enabled ? "enabled" : "disabled"}`);
    })
    .post("/dashboard/endpoints/:id/rotate-secret", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const rotated = isPlausibleText(params.id)
        ? await rotateEndpointSecret(ctx, params.id)
        : undefined;
      if (!rotated) return endpointNotFound(params.id);
      return seeOther(`${endpointHref(rotated.id)}?done=rotated`);
    })
    .post("/dashboard/endpoints/:id/delete", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const deleted = isPlausibleText(params.id) && (await store.endpoints.delete(params.id));
      if (!deleted) return endpointNotFound(params.id);
      return seeOther("/dashboard/endpoints?done=deleted");
    })
    .use(deliveryPages(ctx));
}

function endpointNotFound(id: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Endpoint not found",
    message: `There is no endpoint with id "${id}"; it may have been deleted.`,
    active: "endpoints",
  });
}
