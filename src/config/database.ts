/** DATABASE_URL: which database, embedded SQLite or a PostgreSQL server. */
import { ConfigError } from "./errors.ts";

export type DatabaseTarget =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

/**
 * `sqlite:PATH` and `sqlite://PATH` mean the same: PATH as written, relative to the
 * working directory unless it starts with `/` (so `sqlite:///var/lib/hy.db` is absolute).
 * URL rules would read `rel.db` in `sqlite://rel.db` as a host name, which means nothing
 * for a file, and keeping the slashes would open `/rel.db` at the filesystem's root.
 */
export function databaseTarget(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      // postgres.js takes several hosts (`h1:5432,h2:5433`), which URL does not: check
      // the rest with the first of them, as postgres.js reads it.
      new URL(url.replace(/@([^/?#@]*?),[^/?#]*/, "@$1"));
    } catch {
      throw new ConfigError("DATABASE_URL", `not a valid PostgreSQL URL: ${JSON.stringify(url)}`);
    }
    return { kind: "postgres", url };
  }
  if (url.startsWith("sqlite:")) {
    const rest = url.slice("sqlite:".length);
    const path = rest.startsWith("//") ? rest.slice(2) : rest;
    if (path === "") {
      throw new ConfigError("DATABASE_URL", `sqlite: needs a path, e.g. sqlite:./data/hookyard.db`);
    }
    return { kind: "sqlite", path };
  }
  throw new ConfigError(
    "DATABASE_URL",
    `expected postgres://…, postgresql://…, sqlite:PATH or sqlite::memory:, got ${JSON.stringify(url)}`,
  );
}
