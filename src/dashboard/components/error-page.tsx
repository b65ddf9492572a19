/**
 * A whole error page as a Response (404 for an unknown id, 403 for a refused form post,
 * 422 for a bad form), with the dashboard's frame and headers and the right status.
 */
import { htmlResponse } from "../html.ts";
import { Layout, type NavKey } from "../layout.tsx";

export interface ErrorPageOptions {
  readonly status: number;
  /** e.g. "Event not found" (escaped). */
  readonly title: string;
  /** What happened and what to do (escaped). */
  readonly message: string;
  readonly active?: NavKey;
  readonly headers?: HeadersInit;
}

export function errorPageResponse({
  status,
  title,
  message,
  active,
  headers,
}: ErrorPageOptions): Response {
  return htmlResponse(
    <Layout title={title} active={active}>
      <section class="error-page">
        <p safe>{message}</p>
        <p>
          <a href="/dashboard">Back to the dashboard</a>
        </p>
      </section>
    </Layout>,
    { status, headers },
  );
}
