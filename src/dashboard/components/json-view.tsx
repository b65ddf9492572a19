/**
 * Payloads and raw bodies in a `<pre>`, escaped, pretty-printed when JSON, and cut at a
 * size limit: a 25 MB payload would make the page unusable (and slow to send) while its
 * first 256 KB shows what it is. The API serves the whole thing.
 */
import { CopyButton, uniqueId } from "./copy-button.tsx";
import { attr } from "./markup.ts";

export const DEFAULT_VIEW_LIMIT_BYTES = 256 * 1024;

/** JSON indented by two spaces; values JSON cannot hold (BigInt, cycles) as best we can. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  } catch {
    return String(value);
  }
}

export interface Truncated {
  readonly text: string;
  readonly truncated: boolean;
  readonly totalBytes: number;
}

/** The first `maxBytes` bytes of `text` (UTF-8), never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): Truncated {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false, totalBytes: bytes.length };
  // fatal: false turns a character cut in half into U+FFFD at the end; drop it.
  const head = new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, "");
  return { text: head, truncated: true, totalBytes: bytes.length };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface TextViewProps {
  /** The text to show as is (escaped). */
  readonly text: string;
  /** Cut after this many bytes, with a note. Default 256 KB. */
  readonly maxBytes?: number;
  /** Adds a Copy button for the shown text. */
  readonly copyable?: boolean;
  /** What the text is ("Payload", "Headers"): the name of its scrolling box. Default `Text`. */
  readonly label?: string;
}

/**
 * Raw text (a non-JSON body, headers) in a scrolling `<pre>`. The box takes keyboard
 * focus (a region with a name), so its overflow can be scrolled without a mouse.
 */
export function TextView({
  text,
  maxBytes = DEFAULT_VIEW_LIMIT_BYTES,
  copyable = false,
  label = "Text",
}: TextViewProps): JSX.Element {
  const shown = truncateUtf8(text, maxBytes);
  const id = uniqueId("view");
  return (
    <div class="code-box">
      {copyable ? <CopyButton target={id} /> : ""}
      {/* biome-ignore lint/a11y/useSemanticElements: the <pre> itself scrolls, so it is the region that takes focus */}
      <pre id={id} class="code" tabindex="0" role="region" aria-label={attr(label)} safe>
        {keepLeadingNewline(shown.text)}
      </pre>
      {shown.truncated ? (
        <p class="muted note" safe>
          {`Showing the first ${formatBytes(maxBytes)} of ${formatBytes(shown.totalBytes)}. The API returns it whole.`}
        </p>
      ) : (
        ""
      )}
    </div>
  );
}

/** HTML drops one newline right after `<pre>`; add one so a body's own is kept. */
function keepLeadingNewline(text: string): string {
  return text.startsWith("\n") ? `\n${text}` : text;
}

export interface JsonViewProps {
  /** Any JSON value; shown pretty-printed. `undefined` shows "(empty)". */
  readonly value: unknown;
  readonly maxBytes?: number;
  readonly copyable?: boolean;
  /** See TextView. Default `JSON`. */
  readonly label?: string;
}

/** A JSON value pretty-printed in a scrolling `<pre>`. */
export function JsonView({
  value,
  maxBytes,
  copyable,
  label = "JSON",
}: JsonViewProps): JSX.Element {
  if (value === undefined) return <p class="muted">(empty)</p>;
  return (
    <TextView text={prettyJson(value)} maxBytes={maxBytes} copyable={copyable} label={label} />
  );
}
