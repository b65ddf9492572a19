/**
 * `/dashboard/endpoints`: register, inspect, disable, re-key and delete the endpoints
 * events are delivered to, see how each is doing (its health), recover it after an outage
 * (endpoint-recovery.tsx), and follow each delivery (delivery-routes.tsx). Creating and
 * updating go through delivery/endpoints-service.ts, so the form and `POST /endpoints`
 * apply the same rules (URL, SSRF guard, event type filters, secret).
 *
 * Every form posts with the CSRF token and is refused unless same-origin (csrf.ts), then
 * redirects (303) so that a reload repeats nothing, with a one-time notice (flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import {
  createEndpoint,
  parseEndpointInput,
  rotateEndpointSecret,
  updateEndpoint,
} from "../../delivery/endpoints-service.ts";
import { endpointHealth, healthOf, noHealth } from "../../endpoint-health/service.ts";
import { ApiError } from "../../http/errors.ts";
import { encodeCursor } from "../../store/cursor.ts";
import type { Delivery } from "../../store/deliveries.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import { endpointDeliveriesChart } from "../charts/index.ts";
import { seeOtherWithNotice, splitNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { deliveryPages } from "./delivery-routes.tsx";
import type { DeliveryRow } from "./endpoint-detail.tsx";
import { EndpointPage } from "./endpoint-detail.tsx";
import type { FieldProblems } from "./endpoint-fields.tsx";
import { endpointFilterTestPages } from "./endpoint-filter-test.tsx";
import {
  EMPTY_ENDPOINT_FORM,
  type EndpointFormValues,
  endpointCreateBody,
  endpointFormProblems,
  endpointFormValues,
  endpointUpdateBody,
  isFieldProblemList,
  problemsByField,
  readEndpointForm,
} from "./endpoint-form.ts";
import { EndpointListPage, endpointHref, failingFirst } from "./endpoint-list.tsx";
import { endpointNotFound, findEndpoint as lookUpEndpoint } from "./endpoint-lookup.ts";
import {
  formField,
  outcomeNotice,
  readDeliveryListQuery,
  requestedEnabled,
} from "./endpoint-query.ts";
import { endpointRecoveryPages, testOutcomeNotice } from "./endpoint-recovery.tsx";
import { defaultWindowValues } from "./endpoint-recovery-form.ts";
import { isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";

export const DELIVERIES_PER_PAGE = 50;

/** A form the service refused: re-shown with what was typed and each field's problem. */
interface RefusedForm {
  readonly values: EndpointFormValues;
  readonly problems: FieldProblems;
}

/** The field problems of a 422 from the service, or undefined for any other error. */
function fieldProblems(error: unknown): FieldProblems | undefined {
  return error instanceof ApiError && error.status === 422 && isFieldProblemList(error.details)
    ? problemsByField(error.details)
    : undefined;
}

/**
 * The problems of a form the service must not see yet (a filter that is not JSON), with
 * those the service would find in the rest of it, so one answer names every field.
 */
function problemsBeforeSaving(
  values: EndpointFormValues,
  body: Record<string, unknown>,
  mode: "create" | "update",
): FieldProblems | undefined {
  const own = endpointFormProblems(values);
  if (own.length === 0) return undefined;
  const rest = parseEndpointInput(body, mode);
  return problemsByField([...(rest.ok ? [] : rest.problems), ...own]);
}

export function endpointsPages(ctx: AppContext) {
  const { store } = ctx;

  const renderList = async (request: Request, refused?: RefusedForm) => {
    const page = pageCookies(request);
    const endpoints = await store.endpoints.list();
    const health = await endpointHealth(
      ctx,
      endpoints.map((endpoint) => endpoint.id),
    );
    const rows = endpoints.map((endpoint) => ({
      endpoint,
      health: health.get(endpoint.id) ?? noHealth(endpoint),
    }));
    return htmlResponse(
      <EndpointListPage
        endpoints={failingFirst(rows)}
        csrfToken={page.csrfToken}
        form={refused?.values ?? EMPTY_ENDPOINT_FORM}
        problems={refused?.problems ?? {}}
        notice={outcomeNotice(page.notice)}
      />,
      { status: refused ? 422 : 200, headers: page.headers },
    );
  };

  const renderEndpoint = async (
    request: Request,
    endpoint: Endpoint,
    query: Record<string, string | undefined>,
    refused?: RefusedForm,
  ) => {
    const { status, eventType, since, until, after, problems } = readDeliveryListQuery(query);
    const deliveries = await store.deliveries.list(
      { endpointId: endpoint.id, status, eventType, since, until },
      { limit: DELIVERIES_PER_PAGE, after },
    );
    const page = pageCookies(request);
    const now = ctx.now();
    const [health, chart, notice] = await Promise.all([
      healthOf(ctx, endpoint),
      endpointDeliveriesChart(ctx, endpoint.id, now),
      endpointNotice(endpoint, page.notice),
    ]);
    return htmlResponse(
      <EndpointPage
        endpoint={endpoint}
        health={health}
        chart={chart}
        recoveryWindow={defaultWindowValues(now)}
        deliveries={await withEventTypes(deliveries.items)}
        nextCursor={deliveries.next ? encodeCursor(deliveries.next) : null}
        query={query}
        csrfToken={page.csrfToken}
        notice={notice}
        problems={problems}
        edit={refused ?? { values: endpointFormValues(endpoint), problems: {} }}
        now={now}
      />,
      { status: refused ? 422 : 200, headers: page.headers },
    );
  };

  const findEndpoint = (id: string) => lookUpEndpoint(store, id);

  /** A test's outcome is read back from its delivery; any other notice from its keyword. */
  const endpointNotice = async (endpoint: Endpoint, notice: string | undefined) => {
    const [keyword, deliveryId] = splitNotice(notice);
    if (keyword === "tested" && deliveryId !== undefined) {
      return testOutcomeNotice(ctx, endpoint.id, deliveryId);
    }
    return outcomeNotice(notice);
  };

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
    .get("/dashboard/endpoints", ({ request }) => renderList(request))
    .post("/dashboard/endpoints", async ({ request, body }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const values = readEndpointForm(body);
      const createBody = endpointCreateBody(values);
      const refused = problemsBeforeSaving(values, createBody, "create");
      if (refused) return renderList(request, { values, problems: refused });
      let endpoint: Endpoint;
      try {
        endpoint = await createEndpoint(ctx, createBody);
      } catch (error) {
        const problems = fieldProblems(error);
        if (problems) return renderList(request, { values, problems });
        throw error;
      }
      return seeOtherWithNotice(endpointHref(endpoint.id), "created", request);
    })
    .get("/dashboard/endpoints/:id", async ({ request, params, query }) => {
      const endpoint = await findEndpoint(params.id);
      if (!endpoint) return endpointNotFound(params.id);
      return renderEndpoint(request, endpoint, query);
    })
    .post("/dashboard/endpoints/:id/edit", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const endpoint = await findEndpoint(params.id);
      if (!endpoint) return endpointNotFound(params.id);
      const values = readEndpointForm(body);
      const updateBody = endpointUpdateBody(values);
      const refused = problemsBeforeSaving(values, updateBody, "update");
      if (refused) return renderEndpoint(request, endpoint, {}, { values, problems: refused });
      let updated: Endpoint | undefined;
      try {
        updated = await updateEndpoint(ctx, endpoint.id, updateBody);
      } catch (error) {
        const problems = fieldProblems(error);
        if (problems) return renderEndpoint(request, endpoint, {}, { values, problems });
        throw error;
      }
      if (!updated) return endpointNotFound(params.id);
      return seeOtherWithNotice(endpointHref(updated.id), "saved", request);
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
      return seeOtherWithNotice(
        endpointHref(endpoint.id),
        enabled ? "enabled" : "disabled",
        request,
      );
    })
    .post("/dashboard/endpoints/:id/rotate-secret", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const rotated = isPlausibleText(params.id)
        ? await rotateEndpointSecret(ctx, params.id)
        : undefined;
      if (!rotated) return endpointNotFound(params.id);
      return seeOtherWithNotice(endpointHref(rotated.id), "rotated", request);
    })
    .post("/dashboard/endpoints/:id/delete", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "endpoints");
      if (refusal) return refusal;
      const deleted = isPlausibleText(params.id) && (await store.endpoints.delete(params.id));
      if (!deleted) return endpointNotFound(params.id);
      return seeOtherWithNotice("/dashboard/endpoints", "deleted", request);
    })
    .use(endpointFilterTestPages(ctx))
    .use(endpointRecoveryPages(ctx))
    .use(deliveryPages(ctx));
}
