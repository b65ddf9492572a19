/**
 * A secret shown masked, with Reveal and Copy buttons: a signing secret should not sit in
 * plain sight on a screen that is shared or recorded, yet be one click from the clipboard.
 * The buttons start hidden and app.js brings them in (`data-reveal-target`,
 * `data-copy-target`); Copy takes the secret even while it is masked. Without JavaScript
 * the secret is shown as it is (`<noscript>`), since nothing could reveal it.
 */
import { uniqueId } from "./copy-button.tsx";

/** How much of the secret the mask keeps: its kind (`whsec_`), never any of its bytes. */
export function maskSecret(secret: string): string {
  const underscore = secret.indexOf("_");
  const prefix = underscore > 0 && underscore <= 8 ? secret.slice(0, underscore + 1) : "";
  return `${prefix}${"•".repeat(16)}`;
}

export interface SecretValueProps {
  readonly secret: string;
  /** What the secret is, for screen readers, e.g. "Signing secret". */
  readonly label: string;
}

export function SecretValue({ secret, label }: SecretValueProps): JSX.Element {
  const id = uniqueId("secret");
  return (
    <span class="secret">
      <code class="secret-mask" data-secret-mask={id}>
        <span class="visually-hidden" safe>{`${label}, hidden: `}</span>
        <span aria-hidden="true" safe>
          {maskSecret(secret)}
        </span>
      </code>
      <code id={id} class="secret-value" hidden safe>
        {secret}
      </code>
      <noscript>
        <code safe>{secret}</code>
      </noscript>
      <span class="secret-actions">
        <button
          type="button"
          class="btn btn-small btn-quiet"
          data-reveal-target={id}
          aria-controls={id}
          aria-expanded="false"
          hidden
        >
          Reveal
        </button>
        <button type="button" class="btn btn-small btn-quiet" data-copy-target={id} hidden>
          Copy
        </button>
      </span>
    </span>
  );
}
