/**
 * A request to a dashboard page that fails (the database is down, the admin password is
 * missing) is answered with a page in the dashboard's frame, not the API's JSON: a person
 * reads it. The pipeline maps every error to a status and a message in one place
 * (../http/pipeline.ts) and hands dashboard paths here to be shown.
 *
 * A form that failed this way is not lost: the page holds what was typed, ready to be
 * sent again with the same button. A 401 keeps its `WWW-Authenticate`, so a browser
 * whose login prompt was cancelled shows this page and asks again on the next try.
 */
import type { Config } from "../config.ts";
import type { ApiError } from "../http/errors.ts";
import { attr, CsrfField } from "./components/index.ts";
import { CSRF_FIELD, issueCsrfToken } from "./csrf.ts";
import { htmlResponse, renderSync } from "./html.ts";
import { Layout, type NavKey } from "./layout.tsx";
import { FORM_FIELD_LABELS } from "./pages/endpoint-form.ts";
import { SOURCE_FIELD_LABELS } from "./pages/source-form.ts";
import { insertSiteNotice, siteNotice } from "./site-notice.tsx";

/** What the pipeline knows of a request that failed. */
export interface FailedRequest {
  readonly request: Request;
  readonly path: string;
  /** The parsed body (a form's fields), when it was parsed before the failure. */
  readonly body: unknown;
}

/**
 * Form fields a person types, with the labels their forms give them: shown again to edit.
 * Any other field (which button was pressed, an id) travels along hidden, as it came.
 */
export const TYPED_FIELD_LABELS: Readonly<Record<string, string>> = {
  ...SOURCE_FIELD_LABELS,
  ...FORM_FIELD_LABELS,
  userid: "User id",
  // Recovery windows and the test event (pages/endpoint-recovery.tsx), and the Failures
  // page's bulk retry filters.
  since: "Since (UTC)",
  until: "Until (UTC, optional)",
  event_type: "Test event type",
};

/** Typed fields of several lines (a filter's JSON, secrets one a line): a single-line input would join them. */
const MULTILINE_FIELDS = new Set(["filter", "secrets"]);

const PAGE_METHODS = new Set(["GET", "HEAD", "POST"]);

/** Pages, not the stylesheet and script: those answer as they always have. */
const isDashboardPage = (path: string) =>
  (path === "/dashboard" || path.startsWith("/dashboard/")) &&
  !path.startsWith("/dashboard/assets/");

/** The highlighted navigation entry of the page at `path`. */
export function navKeyOf(path: string): NavKey {
  const section = path.split("/")[2] ?? "";
  if (section === "endpoints" || section === "deliveries") return "endpoints";
  if (
    section === "changes" ||
    section === "sources" ||
    section === "failures" ||
    section === "relay" ||
    section === "hooks"
  ) {
    return section;
  }
  return "events";
}

/**
 * For the pipeline's `errorPage`: the page for a failed dashboard request, or undefined
 * for any other path (the API answers JSON).
 */
export function dashboardErrorPages(config: Pick<Config, "adminToken">) {
  const notice = siteNotice(config);
  return (error: ApiError, failed: FailedRequest): Response | undefined => {
    // Only what a browser sends from a page: any other method was not a person at a page.
    if (!isDashboardPage(failed.path) || !PAGE_METHODS.has(failed.request.method)) {
      return undefined;
    }
    const csrf = issueCsrfToken(failed.request);
    const page = renderSync(<ErrorPage error={error} failed={failed} csrfToken={csrf.token} />);
    const headers = new Headers(error.headers);
    if (csrf.setCookie !== undefined) headers.append("set-cookie", csrf.setCookie);
    return htmlResponse(notice === undefined ? page : insertSiteNotice(page, notice), {
      status: error.status,
      headers,
    });
  };
}

/** The string fields of a posted form, but its CSRF token (the page gives a current one). */
export function postedFields(failed: FailedRequest): [string, string][] | undefined {
  if (failed.request.method !== "POST") return undefined;
  const { body } = failed;
  if (typeof body !== "object" || body === null) return undefined;
  return Object.entries(body).filter(
    (entry): entry is [string, string] => entry[0] !== CSRF_FIELD && typeof entry[1] === "string",
  );
}

interface ErrorPageProps {
  readonly error: ApiError;
  readonly failed: FailedRequest;
  readonly csrfToken: string;
}

function ErrorPage({ error, failed, csrfToken }: ErrorPageProps): JSX.Element {
  const active = navKeyOf(failed.path);
  if (error.status === 401) {
    return (
      <Layout title="Log in to the dashboard" active={active}>
        <section class="error-page">
          <p>
            This hookyard's dashboard needs the admin password: log in with any user name and{" "}
            <code>ADMIN_TOKEN</code> as the password.
          </p>
          <p>
            <a href={attr(pathAndQuery(failed.request))} class="btn">
              Log in
            </a>
          </p>
        </section>
      </Layout>
    );
  }
  const fields = postedFields(failed);
  const serverSide = error.status >= 500;
  return (
    <Layout title={titleFor(error.status)} active={active}>
      <section class="error-page">
        <p safe>{sentence(error.message)}</p>
        {serverSide && fields !== undefined ? (
          <RetryForm action={failed.path} fields={fields} csrfToken={csrfToken} />
        ) : serverSide ? (
          <p>
            <a href={attr(pathAndQuery(failed.request))} class="btn">
              Try again
            </a>
          </p>
        ) : (
          ""
        )}
        <p>
          <a href="/dashboard">Back to the dashboard</a>
        </p>
      </section>
    </Layout>
  );
}

interface RetryFormProps {
  readonly action: string;
  readonly fields: readonly [string, string][];
  readonly csrfToken: string;
}

/** The failed form again, with what was typed, posting where it posted before. */
function RetryForm({ action, fields, csrfToken }: RetryFormProps): JSX.Element {
  const typed = fields.filter(([name]) => Object.hasOwn(TYPED_FIELD_LABELS, name));
  return (
    <>
      <p>
        {typed.length === 0
          ? "Nothing was lost: send the same request again once it is back."
          : "What you typed is kept below: send it again once it is back."}
      </p>
      <form method="post" action={attr(action)} class="filters panel" aria-label="Send again">
        <CsrfField token={csrfToken} />
        {fields.map(([name, value]) =>
          Object.hasOwn(TYPED_FIELD_LABELS, name) ? (
            <div class="field">
              <label for={attr(`retry-${name}`)} safe>
                {TYPED_FIELD_LABELS[name]}
              </label>
              {MULTILINE_FIELDS.has(name) ? (
                <textarea id={attr(`retry-${name}`)} name={attr(name)} rows="4" class="mono" safe>
                  {value.startsWith("\n") ? `\n${value}` : value}
                </textarea>
              ) : (
                <input
                  id={attr(`retry-${name}`)}
                  name={attr(name)}
                  value={attr(value)}
                  autocomplete="off"
                />
              )}
            </div>
          ) : (
            <input type="hidden" name={attr(name)} value={attr(value)} />
          ),
        )}
        <div class="filter-actions">
          <button type="submit" class="btn">
            Try again
          </button>
        </div>
      </form>
    </>
  );
}

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad request",
  403: "Refused",
  404: "Not found",
  413: "Too large",
  415: "Not accepted",
  422: "Not accepted",
  503: "Not available right now",
};

function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Not accepted");
}

/** The API's messages are lower-case clauses ("the database is unavailable; retry later"). */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function pathAndQuery(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}
