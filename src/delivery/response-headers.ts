/**
 * A receiver's response headers as hookyard keeps them with each attempt: enough to see why
 * it refused (retry-after, content-type, a request id, a proxy's or firewall's verdict),
 * bounded so that a receiver answering with kilobytes of headers cannot make every stored
 * attempt big. What is left out past a bound is simply not kept.
 */

/** A longer value is cut to this many characters, and `…` added. */
export const MAX_HEADER_VALUE_CHARS = 512;
/** Names and values together, after cutting. */
export const MAX_HEADERS_CHARS = 4096;
export const MAX_HEADERS = 50;

/** The headers in the order they came, lower-case names; repeated ones joined with `, `. */
export function keptResponseHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  let chars = 0;
  let count = 0;
  for (const [name, raw] of headers) {
    if (count >= MAX_HEADERS) break;
    const value = storable(
      raw.length > MAX_HEADER_VALUE_CHARS ? `${raw.slice(0, MAX_HEADER_VALUE_CHARS)}…` : raw,
    );
    chars += name.length + value.length;
    if (chars > MAX_HEADERS_CHARS) break;
    const before = kept[name];
    kept[name] = before === undefined ? value : `${before}, ${value}`;
    count++;
  }
  return kept;
}

/** PostgreSQL's jsonb cannot hold NUL. */
function storable(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}
