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
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown; errno?: unknown }).code;
    if (typeof code === "string" && [...UNAVAILABLE_CODES].some((c) => code.startsWith(c))) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
