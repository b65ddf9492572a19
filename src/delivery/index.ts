/**
 * The outbound management API (ADMIN_TOKEN when set): /endpoints to register receivers,
 * /trigger/:event_type to record an event by hand, /deliveries to watch and redeliver.
 * The sending itself happens in the worker (./worker.ts), never in a request.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { endpointHealth, healthOf, noHealth } from "../endpoint-health/service.ts";
import { readTimeWindow, readType } from "../events/filter.ts";
import { assertAdminApi } from "../http/auth.ts";
import { ApiError, notFound, unprocessable } from "../http/errors.ts";
import { documentedJsonBody, ErrorSchema } from "../http/openapi.ts";
import { QueryReader } from "../http/query.ts";
import { decodeTimeCursor, encodeCursor } from "../store/cursor.ts";
import type { DeliveryStatus } from "../store/deliveries.ts";
import { createEndpoint, rotateEndpointSecret, updateEndpoint } from "./endpoints-service.ts";
import { isOperationalEventType, OPERATIONAL_PREFIX } from "./event-types.ts";
import {
  attemptJson,
  DELIVERY_STATUSES,
  DeliveryListQuery,
  DeliverySchema,
  DeliveryWithAttemptsSchema,
  deliveryJson,
  EndpointPatchRequest,
  EndpointSchema,
  EndpointWithSecretSchema,
  endpointJson,
  endpointWithSecretJson,
  NewEndpointRequest,
  TriggerBody,
  TriggerResponse,
} from "./model.ts";

/** Event types a trigger may record: what endpoint filters and receivers can match on. */
const EVENT_TYPE = /^[A-Za-z0-9_.-]{1,128}$/;

const admin = [{ adminToken: [] }];

export function deliveryRoutes(ctx: AppContext) {
  const { store } = ctx;

  const findEndpoint = async (id: string) => {
    const endpoint = await store.endpoints.get(id);
    if (!endpoint) throw notFound(`no endpoint with id "${id}"`);
    return endpoint;
  };
  const findDelivery = async (id: string) => {
    const delivery = await store.deliveries.get(id);
    if (!delivery) throw notFound(`no delivery with id "${id}"`);
    return delivery;
  };

  return (
    new Elysia({ name: "delivery" })
      .onBeforeHandle(({ request }) => assertAdminApi(request, ctx.config.adminToken))
      // --- endpoints -------------------------------------------------------------
      .post(
        "/endpoints",
        async ({ body, set }) => {
          const endpoint = await createEndpoint(ctx, body);
          set.status = 201;
          return endpointWithSecretJson(endpoint, noHealth(endpoint));
        },
        {
          response: { 201: EndpointWithSecretSchema, 422: ErrorSchema },
          detail: {
            tags: ["Endpoints"],
            summary: "Register an endpoint; answers its signing secret",
            requestBody: documentedJsonBody(NewEndpointRequest),
            security: admin,
          },
        },
      )
      .get(
        "/endpoints",
        async () => {
          const endpoints = await store.endpoints.list();
          // One read for every endpoint's health, not one per endpoint.
          const health = await endpointHealth(
            ctx,
            endpoints.map((endpoint) => endpoint.id),
          );
          return {
            endpoints: endpoints.map((endpoint) =>
              endpointJson(endpoint, health.get(endpoint.id) ?? noHealth(endpoint)),
            ),
          };
        },
        {
          response: { 200: t.Object({ endpoints: t.Array(EndpointSchema) }) },
          detail: {
            tags: ["Endpoints"],
            summary: "List endpoints, oldest first (without secrets), each with its health",
            security: admin,
          },
        },
      )
      .get(
        "/endpoints/:id",
        async ({ params }) => {
          const endpoint = await findEndpoint(params.id);
          return endpointWithSecretJson(endpoint, await healthOf(ctx, endpoint));
        },
        {
          response: { 200: EndpointWithSecretSchema, 404: ErrorSchema },
          detail: {
            tags: ["Endpoints"],
            summary: "One endpoint, with its secret and its health",
            security: admin,
          },
        },
      )
      .patch(
        "/endpoints/:id",
        async ({ params, body }) => {
          const endpoint = await updateEndpoint(ctx, params.id, body);
          if (!endpoint) throw notFound(`no endpoint with id "${params.id}"`);
          return endpointWithSecretJson(endpoint, await healthOf(ctx, endpoint));
        },
        {
          response: { 200: EndpointWithSecretSchema, 404: ErrorSchema, 422: ErrorSchema },
          detail: {
            tags: ["Endpoints"],
            summary:
              "Change some of an endpoint's fields; enabling it clears disabled_reason and gives it ENDPOINT_DISABLE_AFTER again",
            requestBody: documentedJsonBody(EndpointPatchRequest),
            security: admin,
          },
        },
      )
      .delete(
        "/endpoints/:id",
        async ({ params }) => {
          if (!(await store.endpoints.delete(params.id))) {
            throw notFound(`no endpoint with id "${params.id}"`);
          }
          return new Response(null, { status: 204 });
        },
        {
          detail: {
            tags: ["Endpoints"],
            summary: "Delete an endpoint with its deliveries and their attempts",
            security: admin,
          },
        },
      )
      .post(
        "/endpoints/:id/rotate-secret",
        async ({ params }) => {
          const endpoint = await rotateEndpointSecret(ctx, params.id);
          if (!endpoint) throw notFound(`no endpoint with id "${params.id}"`);
          return endpointWithSecretJson(endpoint, await healthOf(ctx, endpoint));
        },
        {
          response: { 200: EndpointWithSecretSchema, 404: ErrorSchema },
          detail: {
            tags: ["Endpoints"],
            summary:
              "Replace an endpoint's secret; deliveries are signed with the old one too until previous_secret_expires_at (SECRET_ROTATION_OVERLAP)",
            security: admin,
          },
        },
      )
      // --- trigger ---------------------------------------------------------------
      .post(
        "/trigger/:event_type",
        async ({ params, body, request, set }) => {
          const type = params.event_type;
          if (!EVENT_TYPE.test(type)) {
            throw unprocessable("invalid event type", [
              { field: "event_type", message: "1-128 letters, digits, _, . or -" },
            ]);
          }
          if (isOperationalEventType(type)) {
            // Subscribers trust hookyard.* events to come from hookyard itself.
            throw unprocessable("invalid event type", [
              { field: "event_type", message: `"${OPERATIONAL_PREFIX}" types are hookyard's own` },
            ]);
          }
          const payload = triggerPayload(body);
          const now = ctx.now();
          const userAgent = request.headers.get("user-agent");
          const result = await store.events.record({
            source: "trigger",
            type,
            occurredAt: now,
            receivedAt: now,
            payload,
            headers: userAgent === null ? {} : { "user-agent": userAgent.slice(0, 512) },
          });
          // Without a dedupe key an event is always stored; the store's type allows otherwise.
          if (result.status !== "stored") throw new Error("a trigger event was not stored");
          ctx.metrics.eventsIngested.inc({ source: "trigger", outcome: "stored" });
          set.status = 202;
          return { event_id: result.event.id, deliveries: result.deliveries };
        },
        {
          response: { 202: TriggerResponse, 400: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
          detail: {
            tags: ["Deliveries"],
            summary: "Record an event of this type and queue it for every matching endpoint",
            requestBody: TriggerBody,
            security: admin,
          },
        },
      )
      // --- deliveries ------------------------------------------------------------
      .get(
        "/deliveries",
        async ({ query }) => {
          const read = new QueryReader(query);
          const status = read.text("status", 32);
          if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
            read.problems.push({
              field: "status",
              message: `expected ${DELIVERY_STATUSES.join(", ")}, got "${status}"`,
            });
          }
          const filter = {
            endpointId: read.text("endpoint_id", 64),
            eventId: read.text("event_id", 64),
            status: status as DeliveryStatus | undefined,
            eventType: readType(read),
            ...readTimeWindow(read),
          };
          const limit = read.integer("limit", { min: 1, max: 500, fallback: 50 });
          const after = read.cursor("cursor", decodeTimeCursor);
          read.done();
          const page = await store.deliveries.list(filter, { limit, after });
          return {
            deliveries: page.items.map(deliveryJson),
            next_cursor: page.next ? encodeCursor(page.next) : null,
          };
        },
        {
          query: DeliveryListQuery,
          response: {
            200: t.Object({
              deliveries: t.Array(DeliverySchema),
              next_cursor: t.Nullable(t.String()),
            }),
            422: ErrorSchema,
          },
          detail: {
            tags: ["Deliveries"],
            summary: "List deliveries, newest first",
            security: admin,
          },
        },
      )
      .get(
        "/deliveries/:id",
        async ({ params }) => {
          const delivery = await findDelivery(params.id);
          const attempts = await store.deliveries.attempts(delivery.id);
          return {
            ...deliveryJson(delivery),
            attempts: attempts.map((attempt) => attemptJson(attempt, delivery, ctx.version)),
          };
        },
        {
          response: { 200: DeliveryWithAttemptsSchema, 404: ErrorSchema },
          detail: {
            tags: ["Deliveries"],
            summary: "One delivery with its attempts",
            security: admin,
          },
        },
      )
      .post(
        "/deliveries/:id/retry",
        async ({ params, set }) => {
          const delivery = await findDelivery(params.id);
          const endpoint = await findEndpoint(delivery.endpointId);
          if (!endpoint.enabled) {
            // It would wait, pending, until someone enables the endpoint: say so instead.
            throw new ApiError(
              409,
              "the endpoint is disabled; enable it (PATCH /endpoints/:id) first",
              [{ endpoint_id: endpoint.id, disabled_reason: endpoint.disabledReason }],
            );
          }
          const retried = await store.deliveries.retry(delivery.id, ctx.now());
          if (!retried) throw notFound(`no delivery with id "${params.id}"`);
          await store.wake("deliveries");
          set.status = 202;
          return deliveryJson(retried);
        },
        {
          response: { 202: DeliverySchema, 404: ErrorSchema, 409: ErrorSchema },
          detail: {
            tags: ["Deliveries"],
            summary:
              "Send a delivery again now, with a fresh retry schedule and the same webhook-id",
            security: admin,
          },
        },
      )
  );
}

/**
 * The trigger's payload: JSON as sent (any value, null included), `{}` without a body.
 * A body in any other content type (a form is what `curl -d` sends by default) was
 * already refused with a 415 (assertAdminApi) rather than guessed at.
 */
function triggerPayload(body: unknown): unknown {
  return body === undefined ? {} : body;
}
