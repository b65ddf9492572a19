/** What a request declares about its body, read the same way by every route. */

/** The media type alone: lower case, without parameters (`; charset=utf-8`). */
export function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
}

/** `application/json` or a JSON-based type (`application/cloudevents+json`); not `application/jsonx`. */
export function isJsonContentType(contentType: string | null): boolean {
  const type = mediaTypeOf(contentType);
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** Whether the request carries a body at all (a declared length above 0, or chunked). */
export function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return request.headers.has("transfer-encoding");
}
