/**
 * Recovering an endpoint from the dashboard, as rendered: the forms on its page (recover
 * failed deliveries, replay missed events, send a test event), the page that shows the
 * count and asks to confirm, the form again with its problems, and the page for a
 * disabled endpoint. Routes are in endpoint-recovery.tsx; the pure side in
 * endpoint-recovery-form.ts.
 */
import type { Endpoint } from "../../store/endpoints.ts";
import { TEST_EVENT_TYPE } from "../../store/recovery.ts";
import { attr, CsrfField, formatUtc, Notice, PostButton } from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { endpointHref } from "./endpoint-list.tsx";
import {
  isFormTimeShape,
  type RecoveryKind,
  type WindowFormValues,
  type WindowProblems,
} from "./endpoint-recovery-form.ts";

export const recoveryAction = (endpoint: Pick<Endpoint, "id">, kind: RecoveryKind): string =>
  `${endpointHref(endpoint.id)}/${kind}`;

export const testAction = (endpoint: Pick<Endpoint, "id">): string =>
  `${endpointHref(endpoint.id)}/test`;

const WORDING: Readonly<
  Record<RecoveryKind, { title: string; summary: string; explain: string; count: string }>
> = {
  recover: {
    title: "Recover failed deliveries",
    summary: "Recover failed deliveries…",
    explain:
      "Failed deliveries to this endpoint created in the window are attempted again now, each with a fresh retry schedule and the same webhook-id.",
    count: "Count failed deliveries",
  },
  replay: {
    title: "Replay missed events",
    summary: "Replay missed events…",
    explain:
      "Events received in the window that this endpoint takes (its event types, and its filter if it has one) and never got (it was disabled, did not exist yet, or did not take their type) are delivered to it now.",
    count: "Count missed events",
  },
};

// --- On the endpoint page -------------------------------------------------------------

export interface RecoveryPanelsProps {
  readonly endpoint: Endpoint;
  readonly csrfToken: string;
  /** The windows' starting values: the last 24 hours. */
  readonly window: WindowFormValues;
}

export function RecoveryPanels({ endpoint, csrfToken, window }: RecoveryPanelsProps): JSX.Element {
  return (
    <section aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Recovery</h2>
      {endpoint.enabled ? (
        ""
      ) : (
        <p class="muted note">
          Recovering and replaying need the endpoint enabled; a test event is sent all the same, to
          check the receiver before enabling it.
        </p>
      )}
      {(["recover", "replay"] as const).map((kind) => (
        <details class="panel" id={kind}>
          <summary safe>{WORDING[kind].summary}</summary>
          <WindowForm
            endpoint={endpoint}
            kind={kind}
            csrfToken={csrfToken}
            values={window}
            problems={{}}
          />
        </details>
      ))}
      <TestForm endpoint={endpoint} csrfToken={csrfToken} typed={TEST_EVENT_TYPE} />
    </section>
  );
}

interface WindowFormProps {
  readonly endpoint: Endpoint;
  readonly kind: RecoveryKind;
  readonly csrfToken: string;
  readonly values: WindowFormValues;
  readonly problems: WindowProblems;
}

function WindowForm({ endpoint, kind, csrfToken, values, problems }: WindowFormProps): JSX.Element {
  return (
    <form
      method="post"
      action={recoveryAction(endpoint, kind)}
      class="filters"
      aria-label={WORDING[kind].title}
    >
      <p class="muted note recovery-explain" safe>
        {WORDING[kind].explain}
      </p>
      <CsrfField token={csrfToken} />
      <TimeField
        id={`${kind}-since`}
        name="since"
        label="Since (UTC)"
        value={values.since}
        problem={problems.since}
        required
      />
      <TimeField
        id={`${kind}-until`}
        name="until"
        label="Until (UTC, optional)"
        value={values.until}
        problem={problems.until}
      />
      <div class="filter-actions">
        <button type="submit" class="btn" safe>
          {`${WORDING[kind].count}…`}
        </button>
      </div>
    </form>
  );
}

interface TimeFieldProps {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly problem: string | undefined;
  readonly required?: boolean;
}

function TimeField({ id, name, label, value, problem, required }: TimeFieldProps): JSX.Element {
  return (
    <div class="field">
      <label for={id} safe>
        {label}
      </label>
      <input
        id={id}
        name={name}
        // A value a time input cannot hold (RFC 3339 with an offset, or a typo) would be
        // dropped by the browser: shown as text, it stays beside its problem.
        type={isFormTimeShape(value) ? "datetime-local" : "text"}
        value={attr(value)}
        required={required}
        aria-invalid={problem === undefined ? undefined : "true"}
        aria-describedby={problem === undefined ? undefined : `${id}-problem`}
      />
      {problem === undefined ? (
        ""
      ) : (
        <p class="note field-error" id={`${id}-problem`} role="alert" safe>
          {problem}
        </p>
      )}
    </div>
  );
}

function TestForm({
  endpoint,
  csrfToken,
  typed,
  problem,
}: {
  readonly endpoint: Endpoint;
  readonly csrfToken: string;
  readonly typed: string;
  readonly problem?: string;
}): JSX.Element {
  return (
    <form method="post" action={testAction(endpoint)} class="filters" aria-label="Send test event">
      <CsrfField token={csrfToken} />
      <div class="field">
        <label for="test-event_type">Test event type</label>
        <input
          id="test-event_type"
          name="event_type"
          class="mono"
          autocomplete="off"
          maxlength="128"
          value={attr(typed)}
          aria-invalid={problem === undefined ? undefined : "true"}
          aria-describedby={problem === undefined ? undefined : "test-event_type-problem"}
        />
        {problem === undefined ? (
          ""
        ) : (
          <p class="note field-error" id="test-event_type-problem" role="alert" safe>
            {problem}
          </p>
        )}
      </div>
      <div class="filter-actions">
        <button type="submit" class="btn">
          Send test event
        </button>
      </div>
    </form>
  );
}

// --- Pages of their own ---------------------------------------------------------------

const BackLink = ({ endpoint, label }: { endpoint: Endpoint; label: string }) => (
  <a href={endpointHref(endpoint.id)} class="btn btn-quiet" safe>
    {label}
  </a>
);

/** The window form alone: opened by its address, or refused (422) with each problem. */
export function RecoveryFormPage(props: WindowFormProps): JSX.Element {
  const refused = Object.keys(props.problems).length > 0;
  return (
    <Layout title={WORDING[props.kind].title} active="endpoints" csrfToken={props.csrfToken}>
      {refused ? (
        <Notice tone="bad" message="Nothing was counted: see the fields marked below." />
      ) : (
        ""
      )}
      <p>
        Endpoint{" "}
        <a href={endpointHref(props.endpoint.id)} class="mono" safe>
          {props.endpoint.url}
        </a>
      </p>
      <WindowForm {...props} />
      <BackLink endpoint={props.endpoint} label="Back to the endpoint" />
    </Layout>
  );
}

/** `between 2026-11-21 10:00:00 UTC and now`. */
function describeWindow(values: { since: Date; until?: Date | undefined }): string {
  const until = values.until === undefined ? "now" : formatUtc(values.until);
  return `between ${formatUtc(values.since)} and ${until}`;
}

export interface RecoveryConfirmProps {
  readonly endpoint: Endpoint;
  readonly kind: RecoveryKind;
  readonly csrfToken: string;
  /** As typed, sent again with the confirmation. */
  readonly values: WindowFormValues;
  readonly window: { readonly since: Date; readonly until?: Date | undefined };
  readonly count: number;
}

/** What a recover or a replay would queue, before anything is: Confirm, or Cancel. */
export function RecoveryConfirmPage(props: RecoveryConfirmProps): JSX.Element {
  const { endpoint, kind, count } = props;
  const between = describeWindow(props.window);
  return (
    <Layout title={`${WORDING[kind].title}?`} active="endpoints" csrfToken={props.csrfToken}>
      <p class="recovery-count" safe>
        {count === 0
          ? nothingToDo(kind, endpoint.url, between)
          : wouldQueue(kind, count, endpoint.url, between)}
      </p>
      {count === 0 ? (
        ""
      ) : (
        <p class="muted note" safe>
          {WORDING[kind].explain}
        </p>
      )}
      <div class="page-actions recovery-actions">
        {count === 0 ? (
          ""
        ) : (
          <PostButton
            action={recoveryAction(endpoint, kind)}
            csrfToken={props.csrfToken}
            label={`Confirm: queue ${count}`}
            fields={{ since: props.values.since, until: props.values.until, confirm: "1" }}
          />
        )}
        <BackLink endpoint={endpoint} label={count === 0 ? "Back to the endpoint" : "Cancel"} />
      </div>
    </Layout>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function wouldQueue(kind: RecoveryKind, n: number, url: string, between: string): string {
  return kind === "recover"
    ? `${plural(n, "failed delivery", "failed deliveries")} to ${url} created ${between} would be queued again.`
    : `${plural(n, "event", "events")} received ${between} that ${url} takes and never got would be queued for it.`;
}

function nothingToDo(kind: RecoveryKind, url: string, between: string): string {
  return kind === "recover"
    ? `No failed deliveries to ${url} were created ${between}: there is nothing to recover.`
    : `Every event received ${between} that ${url} takes already has a delivery to it: there is nothing to replay.`;
}

/** A recover or replay asked of a disabled endpoint (409): enable it first. */
export function EndpointDisabledPage({
  endpoint,
  kind,
  csrfToken,
}: {
  readonly endpoint: Endpoint;
  readonly kind: RecoveryKind;
  readonly csrfToken: string;
}): JSX.Element {
  const what = kind === "recover" ? "failed deliveries queued again" : "missed events queued";
  return (
    <Layout title="Endpoint disabled" active="endpoints" csrfToken={csrfToken}>
      <Notice
        tone="warn"
        message={`${endpoint.url} is disabled, so ${what} for it would only wait. Enable it first, then ${kind === "recover" ? "recover" : "replay"} again.`}
      />
      {endpoint.disabledReason === null ? (
        ""
      ) : (
        <p class="muted" safe>{`Disabled because: ${endpoint.disabledReason}`}</p>
      )}
      <div class="page-actions recovery-actions">
        <PostButton
          action={`${endpointHref(endpoint.id)}/toggle`}
          csrfToken={csrfToken}
          label="Enable endpoint"
          fields={{ enabled: "true" }}
        />
        <BackLink endpoint={endpoint} label="Back to the endpoint" />
      </div>
    </Layout>
  );
}

/** The test form refused (422): the type typed, and what is wrong with it. */
export function TestFormPage(props: {
  readonly endpoint: Endpoint;
  readonly csrfToken: string;
  readonly typed: string;
  readonly problem: string;
}): JSX.Element {
  return (
    <Layout title="Send test event" active="endpoints" csrfToken={props.csrfToken}>
      <Notice tone="bad" message="Nothing was sent: see the field marked below." />
      <TestForm {...props} />
      <BackLink endpoint={props.endpoint} label="Back to the endpoint" />
    </Layout>
  );
}
