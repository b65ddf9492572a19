/** The hooks page's markup: the registration form and the list. Routes are in hooks.tsx. */

import type { Hook } from "../../store/hooks.ts";
import {
  attr,
  type Column,
  CopyableText,
  CsrfField,
  EmptyState,
  markup,
  Notice,
  PostButton,
  Table,
  Time,
} from "../components/index.ts";
import { Layout } from "../layout.tsx";
import { entityHref, shellQuote } from "./event-display.ts";

export interface HooksPageProps {
  readonly hooks: readonly Hook[];
  /** More hooks exist than are listed. */
  readonly more: boolean;
  /** Where the trigger URLs point, e.g. `https://hooks.example.com`. */
  readonly origin: string;
  readonly csrfToken: string;
  readonly notice?: { readonly tone: "ok" | "bad"; readonly message: string } | undefined;
  /** ADMIN_TOKEN is set: the API needs it as a Bearer token. */
  readonly adminTokenRequired: boolean;
  /** What the form shows (after a refused submission, what was typed). */
  readonly userid?: string | undefined;
}

export const triggerUrl = (origin: string, hook: Pick<Hook, "id">): string =>
  `${origin}/webhook/${hook.id}`;

/** How a script registers a hook through the API. */
export function registerCurl(origin: string, adminTokenRequired: boolean): string {
  return [
    `curl -X POST ${shellQuote(`${origin}/webhook`)} \\`,
    ...(adminTokenRequired ? [`  -H "authorization: Bearer $ADMIN_TOKEN" \\`] : []),
    "  -H 'content-type: application/json' -d '{\"userid\":\"alice\"}'",
  ].join("\n");
}

export function HooksPage(props: HooksPageProps): JSX.Element {
  const columns: readonly Column<Hook>[] = [
    { header: "User id", cell: (h) => h.userid },
    {
      header: "Trigger URL",
      cell: (h) => markup(<CopyableText text={triggerUrl(props.origin, h)} />),
      // Wrapped: a whole URL on one line would push the other columns off a laptop screen.
      class: "wrap",
    },
    {
      header: "Triggers",
      // The count links to the hook's hook.triggered events (filed under its id).
      cell: (h) =>
        h.triggerCount === 0
          ? 0
          : markup(
              <a href={entityHref(h.id)} title="Its hook.triggered events" safe>
                {String(h.triggerCount)}
              </a>,
            ),
      class: "num",
    },
    {
      header: "Last triggered",
      cell: (h) => markup(<Time value={h.lastTriggeredAt} />),
      class: "nowrap",
    },
    { header: "Created", cell: (h) => markup(<Time value={h.createdAt} />), class: "nowrap" },
    {
      header: "",
      cell: (h) =>
        markup(
          <PostButton
            action={`/dashboard/hooks/${h.id}/delete`}
            csrfToken={props.csrfToken}
            label="Delete"
            confirm={`Delete the hook of ${h.userid}? Its trigger URL will answer 404.`}
            danger
          />,
        ),
      class: "nowrap",
    },
  ];
  return (
    <Layout title="Hooks" active="hooks" csrfToken={props.csrfToken}>
      {props.notice === undefined ? (
        ""
      ) : (
        <Notice tone={props.notice.tone} message={props.notice.message} />
      )}
      <p class="muted">
        A hook is a secret URL that runs the handler for its user id and records a{" "}
        <code>hook.triggered</code> event, whenever anything calls it with GET or POST.
      </p>
      <RegisterForm csrfToken={props.csrfToken} userid={props.userid} />
      <Table
        caption="Hooks, newest first"
        columns={columns}
        rows={props.hooks}
        empty={
          <EmptyState
            title="No hooks yet"
            text="Register one above, or from a script:"
            code={registerCurl(props.origin, props.adminTokenRequired)}
          />
        }
      />
      {props.more ? (
        <p class="muted note">Showing the newest hooks only. GET /webhook lists them too.</p>
      ) : (
        ""
      )}
    </Layout>
  );
}

function RegisterForm({ csrfToken, userid }: { csrfToken: string; userid?: string | undefined }) {
  return (
    <form method="post" action="/dashboard/hooks" class="filters" aria-label="Register a hook">
      <CsrfField token={csrfToken} />
      <div class="field">
        <label for="hook-userid">User id</label>
        <input
          id="hook-userid"
          name="userid"
          required
          maxlength="256"
          autocomplete="off"
          value={userid === undefined ? undefined : attr(userid)}
        />
      </div>
      <div class="filter-actions">
        <button type="submit" class="btn">
          Register hook
        </button>
      </div>
    </form>
  );
}
