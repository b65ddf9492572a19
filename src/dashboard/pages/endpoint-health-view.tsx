/**
 * An endpoint's health as the dashboard shows it (../../endpoint-health/service.ts): the
 * state as a badge whose word says it (red is never the only sign of failing), the last
 * 24 hours' success rate and deliveries, the failures in a row and the last attempt.
 */
import type { EndpointHealthSummary, EndpointState } from "../../endpoint-health/service.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import { KeyValue, markup, StatusBadge, Time } from "../components/index.ts";

const STATE_TONES: Readonly<Record<EndpointState, string>> = {
  healthy: "badge-ok",
  failing: "badge-bad",
  disabled: "badge-neutral",
};

export function HealthBadge({ state }: { readonly state: EndpointState }): JSX.Element {
  return (
    <span class={`badge ${STATE_TONES[state]}`} safe>
      {state}
    </span>
  );
}

/** `96.5 %`, or a dash when nothing was attempted in the window. */
export function describeSuccessRate(rate: number | null): string {
  if (rate === null) return "—";
  return `${Math.round(rate * 1000) / 10} %`;
}

/** `25 deliveries: 24 delivered, 1 failed`: the outcomes that happened, none that did not. */
export function describeDeliveries(counts: EndpointHealthSummary["deliveries24h"]): string {
  const total = counts.delivered + counts.failed + counts.pending;
  if (total === 0) return "no deliveries";
  const parts = (["delivered", "failed", "pending"] as const)
    .filter((outcome) => counts[outcome] > 0)
    .map((outcome) => `${counts[outcome]} ${outcome}`);
  return `${total} ${total === 1 ? "delivery" : "deliveries"}: ${parts.join(", ")}`;
}

/** The state badge, with hookyard's reason beside it when it disabled the endpoint. */
export function HealthState({
  health,
  endpoint,
}: {
  readonly health: EndpointHealthSummary;
  readonly endpoint: Pick<Endpoint, "disabledReason">;
}): JSX.Element {
  const reason = health.state === "disabled" ? endpoint.disabledReason : null;
  return (
    <span>
      <HealthBadge state={health.state} />
      {reason === null ? (
        ""
      ) : (
        <>
          {" "}
          <span class="muted" safe>
            {reason}
          </span>
        </>
      )}
    </span>
  );
}
/** The success rate over the deliveries it is taken from, on two lines. */
export function RecentDeliveries({
  health,
}: {
  readonly health: EndpointHealthSummary;
}): JSX.Element {
  return (
    <span>
      <strong safe>{describeSuccessRate(health.successRate)}</strong>
      {health.successRate === null ? "" : " delivered"}
      <br />
      <span class="muted" safe>
        {describeDeliveries(health.deliveries24h)}
      </span>
    </span>
  );
}

/** The last attempt's status (or "no response") and time; a dash when none was made. */
export function LastAttempt({ health }: { readonly health: EndpointHealthSummary }): JSX.Element {
  if (health.lastAttemptAt === null) return <span class="muted">none yet</span>;
  return (
    <span>
      {health.lastStatus === null ? (
        <span class="badge badge-bad">no response</span>
      ) : (
        <StatusBadge status={health.lastStatus} />
      )}{" "}
      <Time value={health.lastAttemptAt} />
    </span>
  );
}

/** The endpoint page's health summary. */
export function HealthSummary({
  health,
  endpoint,
}: {
  readonly health: EndpointHealthSummary;
  readonly endpoint: Pick<Endpoint, "disabledReason">;
}): JSX.Element {
  return (
    <KeyValue
      items={[
        { label: "Health", value: markup(<HealthBadge state={health.state} />) },
        ...(health.state === "disabled"
          ? [{ label: "Disabled because", value: endpoint.disabledReason ?? "disabled by hand" }]
          : []),
        {
          label: "Success rate (24 h)",
          value: markup(<RecentDeliveries health={health} />),
        },
        { label: "Failures in a row", value: String(health.consecutiveFailures) },
        ...(health.failingSince === null
          ? []
          : [{ label: "Failing since", value: markup(<Time value={health.failingSince} />) }]),
        { label: "Last attempt", value: markup(<LastAttempt health={health} />) },
      ]}
    />
  );
}
