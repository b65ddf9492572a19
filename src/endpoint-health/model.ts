/** Endpoint health in the management API's JSON, with its OpenAPI schema. */
import { t } from "elysia";
import type { EndpointHealthSummary } from "./service.ts";

const dateTime = (description: string) =>
  t.Nullable(t.String({ format: "date-time", description }));

/** The health fields every endpoint carries in GET /endpoints and GET /endpoints/:id. */
export const EndpointHealthFields = {
  state: t.Union([t.Literal("healthy"), t.Literal("failing"), t.Literal("disabled")], {
    description:
      "disabled: receives nothing (by hand, after a 410, or after ENDPOINT_DISABLE_AFTER of failures); failing: its last attempt failed; healthy: its last attempt succeeded, or none was made yet",
  }),
  deliveries_24h: t.Object(
    { delivered: t.Integer(), failed: t.Integer(), pending: t.Integer() },
    { description: "deliveries created in the last 24 hours, by status" },
  ),
  success_rate: t.Nullable(
    t.Number({
      minimum: 0,
      maximum: 1,
      description:
        "of the last 24 hours' deliveries that were attempted, the share delivered (pending ones whose attempts so far failed count against it); null when none was",
    }),
  ),
  last_attempt_at: dateTime("the last attempt's time, to the second; null when none was made"),
  last_status: t.Nullable(
    t.Integer({ description: "the last attempt's HTTP status; null when no response came" }),
  ),
  consecutive_failures: t.Integer({ description: "attempts that failed since the last success" }),
  failing_since: dateTime("when the first of those failed; null while the last attempt succeeded"),
};

export type EndpointHealthJson = {
  readonly [K in keyof typeof EndpointHealthFields]: (typeof EndpointHealthFields)[K]["static"];
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function healthJson(health: EndpointHealthSummary): EndpointHealthJson {
  return {
    state: health.state,
    deliveries_24h: { ...health.deliveries24h },
    success_rate: health.successRate,
    last_attempt_at: iso(health.lastAttemptAt),
    last_status: health.lastStatus,
    consecutive_failures: health.consecutiveFailures,
    failing_since: iso(health.failingSince),
  };
}
