import { describe, expect, test } from "bun:test";
import { describeEndpoint, parsePgTarget } from "../../../src/store/pg/target.ts";

describe("parsePgTarget", () => {
  test.each([
    ["postgres://u:secret@db.internal:6543/app", ["db.internal:6543"]],
    ["postgresql://u:secret@127.0.0.1/app", ["127.0.0.1:5432"]],
    ["postgres://u:secret@[::1]:5433/app", ["[::1]:5433"]],
    ["postgres://u:p%40ss@h1:5432,h2:5433/app", ["h1:5432", "h2:5433"]],
    ["postgres://u@h1,h2/app", ["h1:5432", "h2:5432"]],
    ["postgres:///app?host=/var/run/postgresql", ["/var/run/postgresql/.s.PGSQL.5432"]],
    ["postgres://u@localhost:5433/app?host=/run/pg/", ["/run/pg/.s.PGSQL.5433"]],
    ["postgres://u@%2Fvar%2Frun%2Fpostgresql/app", ["/var/run/postgresql/.s.PGSQL.5432"]],
    ["postgres:///app", []],
  ])("%s is tried at %j", (url, where) => {
    expect(parsePgTarget(url).endpoints.map(describeEndpoint)).toEqual(where);
  });

  test("names the user and the database, never the password", () => {
    const target = parsePgTarget("postgres://hook%20yard:s3cret@db:5432/events?sslmode=require");
    expect(target).toMatchObject({ user: "hook yard", database: "events" });
    expect(JSON.stringify(target.endpoints)).not.toContain("s3cret");
  });

  test("a socket folder becomes postgres.js's path, and leaves the URL's query", () => {
    const url = "postgres://u:pw@localhost/app?host=%2Fvar%2Frun%2Fpostgresql&options=-c%20x%3D1";
    expect(parsePgTarget(url).connection).toEqual({
      url: "postgres://u:pw@localhost/app?options=-c+x%3D1",
      path: "/var/run/postgresql/.s.PGSQL.5432",
    });
  });

  test("a TCP URL is handed to postgres.js as it is", () => {
    const url = "postgres://u:pw@db:5432/app?options=-c%20search_path%3Dt";
    expect(parsePgTarget(url).connection).toEqual({ url });
  });
});
