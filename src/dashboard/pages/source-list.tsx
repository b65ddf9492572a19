/**
 * `/dashboard/sources`: the gateway's named inbound URLs, each with the URL to give its
 * sender, and the form that adds one. Rendering only: sources.tsx loads the list and
 * re-renders this page with what was typed and the problems when a form is refused.
 */

import type { Source } from "../../sources/definition.ts";
import { inboundPath } from "../../sources/model.ts";
import {
  type Column,
  CopyableText,
  CsrfField,
  EmptyState,
  type FieldProblems,
  hrefWith,
  markup,
  Notice,
  Table,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import type { PageNotice } from "./endpoint-list.tsx";
import { shellQuote } from "./event-display.ts";
import { SourceFields, verifierLabel } from "./source-fields.tsx";
import type { SourceFormValues } from "./source-form.ts";

export const sourceHref = (name: string): string =>
  `/dashboard/sources/${encodeURIComponent(name)}`;

/** The events list narrowed to one source. */
export const sourceEventsHref = (name: string): string =>
  hrefWith("/dashboard", {}, { source: name });

export const sourceUrl = (origin: string, name: string): string => `${origin}${inboundPath(name)}`;

export const declaredInLabel = (source: Pick<Source, "origin">): string =>
  source.origin === "config" ? "config file (read-only here)" : "dashboard or API";

export interface SourceListPageProps {
  readonly sources: readonly Source[];
  /** Where the URLs point, e.g. `https://hooks.example.com`. */
  readonly origin: string;
  readonly csrfToken: string;
  readonly form: SourceFormValues;
  readonly problems: FieldProblems;
  readonly notice?: PageNotice | undefined;
  /** ADMIN_TOKEN is set: the API needs it as a Bearer token. */
  readonly adminTokenRequired: boolean;
}

export function SourceListPage(props: SourceListPageProps): JSX.Element {
  const refused = Object.keys(props.problems).length > 0;
  const columns: readonly Column<Source>[] = [
    {
      header: "Name",
      cell: (source) =>
        markup(
          <span>
            <a href={sourceHref(source.name)} class="mono" safe>
              {source.name}
            </a>
            {source.description === "" ? (
              ""
            ) : (
              <>
                <br />
                <span class="muted" safe>
                  {source.description}
                </span>
              </>
            )}
          </span>,
        ),
      class: "wrap",
    },
    { header: "Verifier", cell: (source) => verifierLabel(source.verifier.type) },
    {
      header: "URL to give the sender",
      cell: (source) => markup(<CopyableText text={sourceUrl(props.origin, source.name)} />),
      // Wrapped: a whole URL on one line would push the other columns off a laptop screen.
      class: "wrap",
    },
    { header: "Declared in", cell: declaredInLabel },
    {
      header: "Events",
      cell: (source) =>
        markup(
          <a href={sourceEventsHref(source.name)} aria-label={`Events of ${source.name}`}>
            Events
          </a>,
        ),
      class: "nowrap",
    },
  ];
  return (
    <Layout title="Sources" active="sources" csrfToken={props.csrfToken}>
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      <p class="muted">
        A source is a URL, <code safe>{"/in/<name>"}</code>, that one sender (a Stripe account, a
        Shopify store, any service that signs its webhooks) posts to. Each request must pass the
        source's verifier, and is stored as an event of type <code safe>{"<name>.<type>"}</code>{" "}
        that endpoints can subscribe to.
      </p>
      <details class="panel" id="add-source" open={refused || props.sources.length === 0}>
        <summary>Add a source</summary>
        {refused ? (
          <Notice tone="bad" message="The source was not created: see the fields marked below." />
        ) : (
          ""
        )}
        {(props.problems.form ?? []).map((message) => (
          <Notice tone="bad" message={message} />
        ))}
        <form method="post" action="/dashboard/sources" class="form-grid" aria-label="Add a source">
          <CsrfField token={props.csrfToken} />
          <SourceFields
            idPrefix="source"
            mode="create"
            values={props.form}
            problems={props.problems}
          />
          <div class="filter-actions">
            <button type="submit" class="btn">
              Add source
            </button>
          </div>
        </form>
      </details>
      <Table
        caption="Sources, by name"
        columns={columns}
        rows={props.sources}
        empty={
          <EmptyState
            title="No sources yet"
            text="Add one with the form above, or from a script:"
            code={createCurl(props.origin, props.adminTokenRequired)}
          />
        }
      />
    </Layout>
  );
}

/** How a script creates a source through the API. */
export function createCurl(origin: string, adminTokenRequired: boolean): string {
  const body = JSON.stringify({
    name: "stripe-live",
    verifier: { type: "stripe", secret: "whsec_…" },
  });
  return [
    `curl -X POST ${shellQuote(`${origin}/sources`)} \\`,
    ...(adminTokenRequired ? [`  -H "authorization: Bearer $ADMIN_TOKEN" \\`] : []),
    `  -H 'content-type: application/json' -d ${shellQuote(body)}`,
  ].join("\n");
}
