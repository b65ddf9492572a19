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
