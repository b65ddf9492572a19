/**
 * What a list shows before it has anything: what will appear here, and a command to make
 * it appear (a curl to send a first webhook), with a Copy button.
 */
import { CopyButton, uniqueId } from "./copy-button.tsx";

export interface EmptyStateProps {
  /** A short heading, e.g. "No events yet" (escaped). */
  readonly title: string;
  /** One or two sentences (escaped). */
  readonly text?: string;
  /** A command or snippet to copy (escaped), e.g. a curl that sends a test event. */
  readonly code?: string;
}

export function EmptyState({ title, text, code }: EmptyStateProps): JSX.Element {
  const codeId = uniqueId("empty-code");
  return (
    <section class="empty-state">
      <h2 safe>{title}</h2>
      {text === undefined ? "" : <p safe>{text}</p>}
      {code === undefined ? (
        ""
      ) : (
        <div class="code-box">
          <CopyButton target={codeId} />
          {/* Focusable: a long command scrolls sideways on a phone, and keys must reach it. */}
          {/* biome-ignore lint/a11y/useSemanticElements: the <pre> itself scrolls, so it is the region */}
          <pre id={codeId} class="code" tabindex="0" role="region" aria-label="Command" safe>
            {code}
          </pre>
        </div>
      )}
    </section>
  );
}
