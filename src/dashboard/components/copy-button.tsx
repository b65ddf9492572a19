/**
 * A "Copy" button for the text of another element. It starts hidden and app.js reveals
 * it, so without JavaScript no button is shown that would do nothing.
 */

let counter = 0;

/**
 * An id unique within this process, for pairing a button with its target. Ids only need
 * to be unique within one page; a process-wide counter is the simplest way to be sure.
 */
export function uniqueId(prefix: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${counter}`;
}

export interface CopyButtonProps {
  /** The id of the element whose text is copied. */
  readonly target: string;
  /** Default `Copy`. */
  readonly label?: string;
}

export function CopyButton({ target, label = "Copy" }: CopyButtonProps): JSX.Element {
  return (
    <button type="button" class="btn btn-small copy-btn" data-copy-target={target} hidden safe>
      {label}
    </button>
  );
}

/**
 * Text with a Copy button beside it. CopyButton is placed over the corner of a code box,
 * which in a table cell would cover the text; this one sits inline after it.
 */
export function CopyableText({ text }: { readonly text: string }): JSX.Element {
  const id = uniqueId("copy");
  return (
    <span class="copyable">
      <code id={id} safe>
        {text}
      </code>{" "}
      <button type="button" class="btn btn-small btn-quiet" data-copy-target={id} hidden>
        Copy
      </button>
    </span>
  );
}
