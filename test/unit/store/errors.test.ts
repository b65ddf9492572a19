import { describe, expect, test } from "bun:test";
import { isDatabaseUnavailable, isQueryCanceled } from "../../../src/store/errors.ts";

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe("isDatabaseUnavailable", () => {
  test.each([
    // postgres.js, as seen when the server goes away (test/store/pg-outage.test.ts)
    "ECONNREFUSED",
    "ECONNRESET",
    "CONNECTION_CLOSED",
    "CONNECTION_DESTROYED",
    "CONNECT_TIMEOUT",
    // a host or network that cannot be reached
    "EHOSTUNREACH",
    "ENETUNREACH",
    // PostgreSQL shutting down, starting up, out of connections, read-only
    "57P01",
    "57P03",
    "53300",
    "25006",
    // SQLite: locked by another process, a file that cannot be written
    "SQLITE_BUSY",
    "SQLITE_READONLY",
    "SQLITE_IOERR_WRITE",
    "SQLITE_FULL",
  ])("%s means the database is unavailable: 503", (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  test.each([
    "23505", // unique violation
    "22P02", // invalid text representation
    "42P01", // undefined table: a bug or a missing migration, not an outage
    "SQLITE_CONSTRAINT_UNIQUE",
    "SQLITE_ERROR",
  ])("%s is not an outage", (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(false);
  });

  test("an error wrapping one (drizzle's query error keeps the driver's as its cause)", () => {
    const wrapped = new Error("Failed query: select 1", { cause: withCode("ECONNREFUSED") });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  test("errors without a code, and non-errors, are not outages", () => {
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
  });
});

describe("isQueryCanceled", () => {
  test("57014, as PostgreSQL cancels a statement at its statement_timeout, inside drizzle's error", () => {
    const wrapped = new Error("Failed query: select …", { cause: withCode("57014") });
    expect(isQueryCanceled(wrapped)).toBe(true);
    expect(isQueryCanceled(withCode("57014"))).toBe(true);
  });

  test("a cancelled query is not an outage, nor is an outage a cancelled query", () => {
    expect(isDatabaseUnavailable(withCode("57014"))).toBe(false);
    expect(isQueryCanceled(withCode("57P01"))).toBe(false);
    expect(isQueryCanceled(new Error("boom"))).toBe(false);
    expect(isQueryCanceled(undefined)).toBe(false);
  });
});
