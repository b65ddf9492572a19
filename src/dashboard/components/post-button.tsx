/**
 * A one-button form for an action (disable, delete, redeliver). It posts with the page's
 * CSRF token, and with `confirm` app.js asks before sending. Without JavaScript the
 * action still works, just without the question.
 */
import { CSRF_FIELD } from "../csrf.ts";
import { attr } from "./markup.ts";

/** The hidden CSRF field every dashboard form that changes something must carry. */
export function CsrfField({ token }: { readonly token: string }): JSX.Element {
  return <input type="hidden" name={CSRF_FIELD} value={attr(token)} />;
}

export interface PostButtonProps {
  /** Where the form posts, e.g. `/dashboard/endpoints/ep_123/disable`. */
  readonly action: string;
  /** From `issueCsrfToken(request).token`. */
  readonly csrfToken: string;
  /** The button's text (escaped). */
  readonly label: string;
  /** A question to confirm first, e.g. "Delete this endpoint and its deliveries?" */
  readonly confirm?: string;
  /** Extra hidden fields, e.g. `{ return_to: "/dashboard/endpoints" }`. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Red button, for destructive actions. */
  readonly danger?: boolean;
}

export function PostButton({
  action,
  csrfToken,
  label,
  confirm,
  fields = {},
  danger = false,
}: PostButtonProps): JSX.Element {
  return (
    <form
      method="post"
      action={attr(action)}
      class="inline-form"
      data-confirm={confirm === undefined ? undefined : attr(confirm)}
    >
      <CsrfField token={csrfToken} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={attr(name)} value={attr(value)} />
      ))}
      <button type="submit" class={danger ? "btn btn-danger" : "btn"} safe>
        {label}
      </button>
    </form>
  );
}
