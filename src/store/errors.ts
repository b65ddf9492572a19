/**
 * Errors that mean "the database cannot be reached or written right now" rather than
 * "this request is wrong": they answer 503, so GitHub and Pub/Sub retry later instead
 * of taking a 5xx as a bug, and nothing is acknowledged that was not stored.
 */
const UNAVAILABLE_CODES = new Set([
  // postgres.js and Node networking
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  // PostgreSQL SQLSTATEs: shutting down, too many connections, cannot connect, read-only
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "25006",
  // SQLite
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_IOERR",
  "SQLITE_FULL",
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  return errorCodes(error).some((code) => [...UNAVAILABLE_CODES].some((c) => code.startsWith(c)));
}

/** PostgreSQL's SQLSTATE for a statement it cancelled: here, at its statement_timeout. */
const QUERY_CANCELED = "57014";

/** Whether PostgreSQL cancelled the statement (drizzle wraps its error; the code is below). */
export function isQueryCanceled(error: unknown): boolean {
  return errorCodes(error).includes(QUERY_CANCELED);
}

/** The string codes on `error` and its causes, outermost first. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * A text search the database stopped at its limit: it read every payload in range
 * without filling a page. Asking again will not help; narrowing the search will.
 */
export class SearchTooSlow extends Error {
  constructor(
    /** The limit it ran into. */
    readonly ms: number,
  ) {
    super(`the search took longer than ${ms} ms`);
    this.name = "SearchTooSlow";
  }
}
