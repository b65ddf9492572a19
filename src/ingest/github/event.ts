/**
 * The `X-GitHub-Event` header: which rule a delivery goes to, and the event type it is
 * stored under (`github.<event>`). Names are checked because, without a secret, anyone can
 * send one, and it ends up in stored types, metrics labels and endpoint filters.
 */

export type GitHubEventClass =
  | { readonly ok: true; readonly kind: "push" | "ping" | "other"; readonly type: string }
  | { readonly ok: false; readonly error: string };

/** GitHub's event names: `push`, `pull_request`, `check_run`… */
const EVENT_NAME = /^[a-z_]{1,64}$/;

/** Why a delivery that is not a push is answered 202 without a change. */
export const NOT_A_PUSH = "not a push";

export function classifyGitHubEvent(header: string | null | undefined): GitHubEventClass {
  if (!header) return { ok: false, error: "X-GitHub-Event: missing" };
  if (!EVENT_NAME.test(header)) {
    return { ok: false, error: "X-GitHub-Event: not an event name (lower-case letters and _)" };
  }
  const kind = header === "push" || header === "ping" ? header : "other";
  return { ok: true, kind, type: `github.${header}` };
}
