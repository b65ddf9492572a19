/**
 * The page between "Retry these" and the retry: what the filters match now, what a retry
 * would queue and what it would skip, with Confirm (a post that carries the same filters)
 * and Cancel (back to the list as it was).
 */

import type { BulkRetryPlan } from "../../recovery/bulk-retry.ts";
import { CsrfField, KeyValue } from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { FilterFields } from "./failures-list.tsx";
import {
  deliveries,
  FAILURES_PATH,
  type FailuresFilterRequest,
  FIELD_LABELS,
  type FilterFieldName,
  failuresHref,
} from "./failures-query.ts";

export interface ConfirmRetryPageProps {
  readonly plan: BulkRetryPlan;
  readonly values: FailuresFilterRequest["values"];
  /** Endpoint id → URL, to name the endpoint filter by what people know it as. */
  readonly endpointUrls: ReadonlyMap<string, string>;
  readonly csrfToken: string;
}

/** "N failed deliveries match; M would be retried (K skipped: their endpoint is disabled)." */
export function planSummary({ matching, retryable, skipped }: BulkRetryPlan): string {
  const match = `${matching} failed ${matching === 1 ? "delivery matches" : "deliveries match"}`;
  return `${match}; ${retryable} would be retried (${skipped} skipped: their endpoint is disabled).`;
}

export function ConfirmRetryPage(props: ConfirmRetryPageProps): JSX.Element {
  const { plan, values } = props;
  const described = (Object.keys(values) as FilterFieldName[]).map((name) => ({
    label: FIELD_LABELS[name],
    value:
      name === "endpoint_id"
        ? (props.endpointUrls.get(values[name] ?? "") ?? values[name] ?? "")
        : (values[name] ?? ""),
  }));
  return (
    <Layout title="Retry failed deliveries" active="failures" csrfToken={props.csrfToken}>
      <p>
        <strong safe>{planSummary(plan)}</strong>
      </p>
      {described.length === 0 ? (
        <p>Filters: none (every failed delivery).</p>
      ) : (
        <KeyValue items={described} />
      )}
      <p class="muted">
        Each is queued with a new attempt, due now, and a fresh retry schedule. Deliveries already
        queued again are not counted.
      </p>
      <div class="page-actions">
        {plan.retryable === 0 ? (
          ""
        ) : (
          <form method="post" action={`${FAILURES_PATH}/retry/confirm`} class="inline-form">
            <CsrfField token={props.csrfToken} />
            <FilterFields values={values} />
            <button type="submit" class="btn" safe>
              {`Confirm: retry ${deliveries(plan.retryable)}`}
            </button>
          </form>
        )}
        <a href={failuresHref(values)} class="btn btn-quiet">
          {plan.retryable === 0 ? "Back to failures" : "Cancel"}
        </a>
      </div>
    </Layout>
  );
}
