/**
 * The headers a source's event keeps: all of them as received, so that `hookyard listen`
 * can replay the request to a developer's own receiver (whose signature check needs the
 * provider's signature header), but never credentials, which the dashboard and the API
 * would show to anyone with the admin token.
 */

/** Bounds on what one request may leave in the store: headers are not a payload. */
const MAX_HEADERS = 100;
const MAX_VALUE_LENGTH = 8_192;

/** Connection-level headers, which describe this hop and not the webhook. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

export function keptHeaders(
  headers: Headers,
  credentials: readonly string[],
): Record<string, string> {
  const left = new Set(credentials.map((name) => name.toLowerCase()));
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (left.has(name) || HOP_BY_HOP.has(name)) continue;
    if (++count > MAX_HEADERS) break;
    kept[name] = value.slice(0, MAX_VALUE_LENGTH);
  }
  return kept;
}
