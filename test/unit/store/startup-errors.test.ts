import { describe, expect, test } from "bun:test";
import { DatabaseTimeout } from "../../../src/store/bounded.ts";
import { parsePgTarget } from "../../../src/store/pg/target.ts";
import { pgConnectFailure, sqliteOpenFailure } from "../../../src/store/startup-errors.ts";

const target = parsePgTarget("postgres://hookyard:s3cret@db.internal:6543/events");

/** The error postgres.js rejects a query with: a network code, or the server's SQLSTATE. */
const driverError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe("a PostgreSQL that cannot be used at start", () => {
  test.each([
    [
      driverError("28P01", 'password authentication failed for user "hookyard"'),
      'PostgreSQL at db.internal:6543 could not be used: password authentication failed for user "hookyard"; check the user and password',
    ],
    [
      driverError("3D000", 'database "events" does not exist'),
      'PostgreSQL at db.internal:6543 could not be used: database "events" does not exist; create the database (createdb events) or correct its name',
    ],
    [
      driverError("CONNECT_TIMEOUT", "write CONNECT_TIMEOUT 10.0.0.7:6543", {
        address: "10.0.0.7",
        port: 6543,
      }),
      "PostgreSQL at 10.0.0.7:6543 could not be used: CONNECT_TIMEOUT 10.0.0.7:6543; is PostgreSQL running there, and does a firewall let the connection through?",
    ],
    [
      driverError("ECONNRESET", "read ECONNRESET"),
      "PostgreSQL at db.internal:6543 could not be used: read ECONNRESET; is that PostgreSQL's host and port?",
    ],
    [
      new DatabaseTimeout("the first query", 5_000),
      "PostgreSQL at db.internal:6543 could not be used: the first query: no answer from the database within 5000 ms; is PostgreSQL running there, and does a firewall let the connection through?",
    ],
    [
      driverError("57P03", "the database system is\nstarting up"),
      "PostgreSQL at db.internal:6543 could not be used: the database system is starting up",
    ],
  ])("%#: names DATABASE_URL, the address and the fix, on one line", (error, problem) => {
    const failure = pgConnectFailure(error, target);
    expect(failure.setting).toBe("DATABASE_URL");
    expect(failure.problem).toBe(problem);
    expect(failure.message).not.toContain("s3cret");
  });
});

describe("a SQLite file that cannot be opened or created", () => {
  const path = "/srv/hookyard/data/hookyard.db";

  test.each([
    [
      driverError("EACCES", "EACCES: permission denied, mkdir '/srv/hookyard'", {
        path: "/srv/hookyard",
      }),
      "cannot create the folder /srv/hookyard for the SQLite file /srv/hookyard/data/hookyard.db (EACCES): check that this user may create it, or choose another path",
    ],
    [
      driverError("ENOTDIR", "ENOTDIR: not a directory, mkdir '/srv/hookyard/data'", {
        path: "/srv/hookyard/data",
      }),
      "cannot create the folder /srv/hookyard/data for the SQLite file /srv/hookyard/data/hookyard.db (ENOTDIR): a file is in the way",
    ],
    [
      driverError("SQLITE_CANTOPEN", "unable to open database file"),
      "cannot open or create the SQLite file /srv/hookyard/data/hookyard.db (unable to open database file): check that it is a file this user may read and write, in a folder it may write to",
    ],
    [
      driverError("SQLITE_NOTADB", "file is not a database"),
      "/srv/hookyard/data/hookyard.db is not a SQLite database file (file is not a database)",
    ],
  ])("%#: names DATABASE_URL and the path", (error, problem) => {
    expect(sqliteOpenFailure(error, path)).toMatchObject({ setting: "DATABASE_URL", problem });
  });

  test("an error that is not about the file is left as it is", () => {
    expect(sqliteOpenFailure(new TypeError("x is undefined"), path)).toBeUndefined();
  });
});
