/**
 * One error type for everything a client did wrong or cannot have, mapped to a status
 * and the contract's body `{"error": "...", "details": [...]}` in one place.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 422 | 429 | 500 | 503;

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly details: readonly unknown[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: readonly unknown[]) =>
  new ApiError(400, message, details);
export const notFound = (message: string) => new ApiError(404, message);
export const unprocessable = (message: string, details?: readonly unknown[]) =>
  new ApiError(422, message, details);
export const unavailable = (message: string) =>
  new ApiError(503, message, [], { "retry-after": "5" });
export const unsupportedMediaType = (message: string) => new ApiError(415, message);

/**
 * On every JSON answer. Some carry secrets (an endpoint's signing secret): no cache, shared
 * or private, may keep them. And no browser may read one as anything but JSON.
 */
export const JSON_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...JSON_HEADERS, ...headers },
  });
}

export function errorResponse(error: ApiError): Response {
  return jsonResponse(
    { error: error.message, details: error.details },
    error.status,
    error.headers,
  );
}
