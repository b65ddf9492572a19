/**
 * `/dashboard/endpoints/:id/filter-test?event_id=…`: would this endpoint take that stored
 * event, by its event types and by its payload filter, and which of the two said no. A
 * `filter` in the query tests that text instead of the saved filter, so a filter can be
 * tried before it is saved. Reads only: a GET form, nothing is written or queued.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import type { Endpoint } from "../../store/endpoints.ts";
import type { StoredEvent } from "../../store/events.ts";
import {
  attr,
  type FieldProblems,
  FormField,
  fieldAria,
  JsonView,
  KeyValue,
  markup,
  Notice,
  prettyJson,
  queryValue,
} from "../components/index.ts";
import { htmlResponse } from "../html.ts";
import { Layout } from "../layout.tsx";
import { textareaRows, textareaText } from "./endpoint-fields.tsx";
import { type FilterVerdict, judgeEvent } from "./endpoint-filter-test.ts";
import { describeEventTypes, readFilterText } from "./endpoint-form.ts";
import { endpointHref } from "./endpoint-list.tsx";
import { endpointNotFound, findEndpoint } from "./endpoint-lookup.ts";
import { eventHref, isPlausibleText } from "./event-display.ts";

export const filterTestHref = (endpoint: Pick<Endpoint, "id">): string =>
  `${endpointHref(endpoint.id)}/filter-test`;

/** The form on the endpoint's page: an event id, and the saved filter is tested. */
export function FilterTestForm({ endpoint }: { readonly endpoint: Endpoint }): JSX.Element {
  return (
    <section aria-labelledby="filter-test-heading">
      <h2 id="filter-test-heading">Test this filter against an event</h2>
      <form
        method="get"
        action={filterTestHref(endpoint)}
        class="filters"
        aria-label="Test the filter against an event"
      >
        <EventIdField id="filter-test-event" value="" problems={undefined} />
        <div class="filter-actions">
          <button type="submit" class="btn">
            Test
          </button>
        </div>
      </form>
    </section>
  );
}

function EventIdField(props: {
  readonly id: string;
  readonly value: string;
  readonly problems: readonly string[] | undefined;
}): JSX.Element {
  return (
    <FormField
      id={props.id}
      label="Event id"
      problems={props.problems}
      hint="From an event's page; nothing is sent or saved."
      input={
        <input
          id={props.id}
          name="event_id"
          required
          maxlength="256"
          autocomplete="off"
          class="mono wide"
          value={attr(props.value)}
          {...fieldAria(props.id, props.problems, true)}
        />
      }
    />
  );
}

interface FilterTestPageProps {
  readonly endpoint: Endpoint;
  readonly eventId: string;
  /** The filter text in the form: what was typed, or the saved filter. */
  readonly filterText: string;
  /** A filter was typed (the query had one) rather than the saved one tested. */
  readonly typed: boolean;
  readonly problems: FieldProblems;
  readonly result?: { readonly event: StoredEvent; readonly verdict: FilterVerdict } | undefined;
}

function FilterTestPage(props: FilterTestPageProps): JSX.Element {
  const { endpoint } = props;
  return (
    <Layout
      title="Test the payload filter"
      active="endpoints"
      actions={
        <a href={endpointHref(endpoint.id)} class="btn btn-small btn-quiet">
          Back to the endpoint
        </a>
      }
    >
      <p class="muted">
        Endpoint <code safe>{endpoint.url}</code>, event types{" "}
        <code safe>{describeEventTypes(endpoint.eventTypes)}</code>.
      </p>
      {props.result === undefined ? (
        ""
      ) : (
        <Verdict {...props.result} typed={props.typed} endpoint={endpoint} />
      )}
      <form
        method="get"
        action={filterTestHref(endpoint)}
        class="filters"
        aria-label="Test a filter against an event"
      >
        <EventIdField id="test-event-id" value={props.eventId} problems={props.problems.event_id} />
        <FormField
          id="test-filter"
          label="Filter to test (JSON)"
          class="field-wide"
          problems={props.problems.filter}
          hint="Starts as the saved filter; change it to try another. Empty: no filter. To keep a filter, save it in the endpoint's edit form."
          input={
            <textarea
              id="test-filter"
              name="filter"
              rows={textareaRows(props.filterText)}
              spellcheck="false"
              class="mono"
              {...fieldAria("test-filter", props.problems.filter, true)}
              safe
            >
              {textareaText(props.filterText)}
            </textarea>
          }
        />
        <div class="filter-actions">
          <button type="submit" class="btn">
            Test
          </button>
        </div>
      </form>
      {props.result === undefined ? "" : <EventShown event={props.result.event} />}
    </Layout>
  );
}

function Verdict({
  event,
  verdict,
  typed,
  endpoint,
}: {
  readonly event: StoredEvent;
  readonly verdict: FilterVerdict;
  readonly typed: boolean;
  readonly endpoint: Endpoint;
}): JSX.Element {
  const which = typed ? "the filter below" : "the saved filter";
  const summary = verdict.taken
    ? `Taken: event ${event.type} matches this endpoint's event types and ${which}.`
    : `Not taken: ${reasons(verdict, which).join(", and ")}.`;
  return (
    <section aria-labelledby="verdict-heading">
      <h2 id="verdict-heading">Result</h2>
      <Notice tone={verdict.taken ? "ok" : "warn"} message={summary} />
      <KeyValue
        items={[
          {
            label: "Event",
            value: markup(
              <a href={eventHref(event.id)} class="mono" safe>
                {`${event.type} (${event.id})`}
              </a>,
            ),
          },
          {
            label: "Event types",
            value: verdict.typeMatched
              ? `matched: ${event.type} is among ${describeEventTypes(endpoint.eventTypes)}`
              : `not matched: ${event.type} is not among ${describeEventTypes(endpoint.eventTypes)}`,
          },
          { label: typed ? "Filter (not saved)" : "Filter", value: filterLine(verdict) },
        ]}
      />
    </section>
  );
}

function reasons(verdict: FilterVerdict, which: string): string[] {
  const found: string[] = [];
  if (!verdict.typeMatched) found.push("its type is not among this endpoint's event types");
  if (verdict.filter.kind === "not-matched") found.push(`${which} does not match it`);
  if (verdict.filter.kind === "unreadable")
    found.push(`${which} cannot be read, so it takes nothing`);
  return found;
}

function filterLine(verdict: FilterVerdict): string {
  switch (verdict.filter.kind) {
    case "none":
      return "none: every event of its types is taken";
    case "matched":
      return "matched";
    case "not-matched":
      return "not matched";
    case "unreadable":
      return `cannot be read (nothing is taken): ${verdict.filter.problems.join("; ")}`;
  }
}

function EventShown({ event }: { readonly event: StoredEvent }): JSX.Element {
  const headers = Object.keys(event.headers).length === 0 ? undefined : event.headers;
  return (
    <section aria-labelledby="tested-event-heading">
      <h2 id="tested-event-heading">What the filter sees</h2>
      <p class="muted note">
        Paths name the payload's fields (<code>data.object.amount</code>) and the headers (
        <code>headers.x-event</code>, in lower case).
      </p>
      <h3>Payload</h3>
      <JsonView value={event.payload} label="Payload" />
      <h3>Headers</h3>
      {headers === undefined ? (
        <p class="muted">No request headers were kept for this event.</p>
      ) : (
        <JsonView value={headers} label="Headers" />
      )}
    </section>
  );
}

export function endpointFilterTestPages(ctx: AppContext) {
  return new Elysia({ name: "dashboard.endpoint-filter-test" }).get(
    "/dashboard/endpoints/:id/filter-test",
    async ({ params, query }) => {
      const endpoint = await findEndpoint(ctx.store, params.id);
      if (!endpoint) return endpointNotFound(params.id);
      const eventId = (queryValue(query, "event_id") ?? "").trim();
      const typedFilter = queryValue(query, "filter");
      const filterText = typedFilter ?? savedFilterText(endpoint);
      const problems: Record<string, string[]> = {};
      const filter =
        typedFilter === undefined
          ? { ok: true as const, filter: endpoint.filter ?? null }
          : readFilterText(typedFilter);
      if (!filter.ok) problems.filter = [filter.problem.message];
      const event = isPlausibleText(eventId) ? await ctx.store.events.get(eventId) : undefined;
      if (eventId === "") problems.event_id = ["Enter the id of a stored event."];
      else if (event === undefined) {
        problems.event_id = [
          `There is no event with id "${eventId}". It may have passed the retention window.`,
        ];
      }
      const page = (
        <FilterTestPage
          endpoint={endpoint}
          eventId={eventId}
          filterText={filterText}
          typed={typedFilter !== undefined}
          problems={problems}
          result={
            event === undefined || !filter.ok
              ? undefined
              : { event, verdict: judgeEvent(endpoint.eventTypes, filter.filter, event) }
          }
        />
      );
      const status = problems.filter ? 422 : event === undefined && eventId !== "" ? 404 : 200;
      return htmlResponse(page, { status });
    },
  );
}

function savedFilterText(endpoint: Endpoint): string {
  return endpoint.filter == null ? "" : prettyJson(endpoint.filter);
}
