/**
 * A database that cannot be used at start is a setting to fix, not a crash: one line
 * that names DATABASE_URL, where hookyard looked (never the password) and the likely
 * fix, and exit code 2 (ConfigError). The driver's own words ("connect ECONNREFUSED
 * 127.0.0.1:5432") left the reader to guess which setting was wrong.
 */
import { ConfigError } from "../config.ts";
import { describeProbe, type ProbeResult } from "./pg/probe.ts";
import { describeEndpoint, type PgTarget } from "./pg/target.ts";

const SETTING = "DATABASE_URL";

/** Nothing at the URL's addresses answered as PostgreSQL. */
export function probeFailure(results: readonly ProbeResult[]): ConfigError {
  const hint = hintFor(results);
  if (results.length === 1) {
    return new ConfigError(SETTING, `${describeProbe(results[0] as ProbeResult)}; ${hint}`);
  }
  return new ConfigError(
    SETTING,
    `none of its hosts answered as PostgreSQL: ${results.map(describeProbe).join("; ")}; ${hint}`,
  );
}

function hintFor(results: readonly ProbeResult[]): string {
  const kinds = new Set(results.map((result) => result.outcome.kind));
  if (kinds.has("not-postgres") || kinds.has("closed")) {
    return "is that PostgreSQL's host and port?";
  }
  const codes = results.map(({ outcome }) => (outcome.kind === "unreachable" ? outcome.code : ""));
  if (codes.every((code) => code === "ENOTFOUND" || code === "EAI_AGAIN")) {
    return "check the host name";
  }
  if (kinds.has("silent")) {
    return "is PostgreSQL running there, and does a firewall let the connection through?";
  }
  return "is PostgreSQL running there?";
}

/** PostgreSQL's SQLSTATEs and postgres.js's codes that a setting can fix, and how. */
const PG_FIXES: Record<string, (target: PgTarget) => string> = {
  "28P01": () => "check the user and password",
  "28000": () => "check the user and password, and pg_hba.conf",
  "3D000": (target) =>
    `create the database${target.database ? ` (createdb ${target.database})` : ""} or correct its name`,
  "42704": () => "check the URL's query parameters",
  ECONNREFUSED: () => "is PostgreSQL running there?",
  ENOTFOUND: () => "check the host name",
  EAI_AGAIN: () => "check the host name and DNS",
  CONNECT_TIMEOUT: () =>
    "is PostgreSQL running there, and does a firewall let the connection through?",
  ETIMEDOUT: () => "is PostgreSQL running there, and does a firewall let the connection through?",
  ECONNRESET: () => "is that PostgreSQL's host and port?",
  CONNECTION_CLOSED: () => "is that PostgreSQL's host and port?",
};

/** The first query failed: what the server or the network said, and how to fix it. */
export function pgConnectFailure(error: unknown, target: PgTarget): ConfigError {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const where = whereOf(error, target);
  // One line, as exit code 2 promises (postgres.js prefixes its own errors with "write").
  const said = (typeof message === "string" ? message : String(error))
    .replace(/^write /, "")
    .replace(/\s+/g, " ");
  const fix = typeof code === "string" ? PG_FIXES[code]?.(target) : undefined;
  return new ConfigError(
    SETTING,
    `PostgreSQL at ${where} could not be used: ${said}${fix ? `; ${fix}` : ""}`,
  );
}

/** postgres.js names the address it failed on; else every address the URL names. */
function whereOf(error: unknown, target: PgTarget): string {
  const { address, port } = error as { address?: unknown; port?: unknown };
  if (typeof address === "string") {
    if (typeof port !== "number") return address;
    return describeEndpoint({ kind: "tcp", host: address, port });
  }
  return target.endpoints.length === 0
    ? "the default host (PGHOST or localhost)"
    : target.endpoints.map(describeEndpoint).join(", ");
}

/**
 * The SQLite file (or its folder) cannot be opened or created; undefined for an error
 * that is not about the file (a fault of hookyard's own, to be reported as one).
 */
export function sqliteOpenFailure(error: unknown, path: string): ConfigError | undefined {
  const { code, message, path: failedPath } = error as Record<string, unknown>;
  if (typeof code !== "string" || !/^(E[A-Z]+|SQLITE_\w+)$/.test(code)) return undefined;
  const problem = typeof message === "string" ? message : code;
  if (typeof failedPath === "string" && failedPath !== path) {
    // Creating a parent folder failed (node's error names the folder it was making).
    const fix =
      code === "EEXIST" || code === "ENOTDIR"
        ? "a file is in the way"
        : "check that this user may create it, or choose another path";
    return new ConfigError(
      SETTING,
      `cannot create the folder ${failedPath} for the SQLite file ${path} (${code}): ${fix}`,
    );
  }
  if (code === "SQLITE_NOTADB") {
    return new ConfigError(SETTING, `${path} is not a SQLite database file (${problem})`);
  }
  return new ConfigError(
    SETTING,
    `cannot open or create the SQLite file ${path} (${problem}): check that it is a file this user may read and write, in a folder it may write to`,
  );
}
