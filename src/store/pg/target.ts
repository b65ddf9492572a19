/**
 * Where a PostgreSQL URL points: its hosts and ports, or a unix socket, read the way
 * postgres.js reads them (several hosts as `h1:5432,h2:5432`), so that start-up can
 * probe them and name them in its errors. Never the password.
 */

/** postgres.js's `connect_timeout`: README's "connecting times out after 5 s". */
export const CONNECT_TIMEOUT_MS = 5_000;

const DEFAULT_PORT = 5432;

export type PgEndpoint =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "socket"; readonly path: string };

export interface PgTarget {
  /**
   * Where postgres.js connects, tried in order. Empty when the URL names no host:
   * postgres.js then falls back to PGHOST or localhost, which start-up does not guess.
   */
  readonly endpoints: readonly PgEndpoint[];
  readonly user: string | undefined;
  readonly database: string | undefined;
  /** What to hand postgres.js: the URL, and the socket path it cannot read from a URL. */
  readonly connection: { readonly url: string; readonly path?: string };
}

/**
 * libpq's URL forms for a unix socket, `postgres:///db?host=/var/run/postgresql` and
 * `postgres://user@%2Fvar%2Frun%2Fpostgresql/db`, are not understood by postgres.js
 * 3.4: it sent `host` to the server as a setting (which refused it) or looked up
 * "%2Fvar…" in DNS. Here both become its `path` option, the socket file in that folder.
 */
export function parsePgTarget(url: string): PgTarget {
  const authority = url.slice(url.indexOf("://") + 3).split(/[/?#]/)[0] ?? "";
  const at = authority.lastIndexOf("@");
  const userInfo = at === -1 ? "" : authority.slice(0, at);
  const hostList = safeDecode(authority.slice(at + 1));
  const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  const path = url.slice(url.indexOf("://") + 3 + authority.length).split(/[?#]/)[0] ?? "";
  const user = safeDecode(userInfo.split(":")[0] ?? "") || undefined;
  const database = safeDecode(path.replace(/^\//, "")) || undefined;

  const hosts = hostList === "" ? [] : hostList.split(",").map(hostAndPort);
  const socketFolder = [query.get("host") ?? "", hosts[0]?.host ?? ""].find((host) =>
    host.startsWith("/"),
  );
  if (socketFolder !== undefined) {
    const port = hosts[0]?.port ?? DEFAULT_PORT;
    const socket = `${socketFolder.replace(/\/+$/, "")}/.s.PGSQL.${port}`;
    return {
      endpoints: [{ kind: "socket", path: socket }],
      user,
      database,
      connection: { url: withoutQueryParameter(url, "host"), path: socket },
    };
  }
  return {
    endpoints: hosts.map((host) => ({ kind: "tcp", ...host })),
    user,
    database,
    connection: { url },
  };
}

export function describeEndpoint(endpoint: PgEndpoint): string {
  if (endpoint.kind === "socket") return endpoint.path;
  return endpoint.host.includes(":")
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
function hostAndPort(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(text.trim());
  const host = (match?.[1] ?? text).replace(/^\[|\]$/g, "");
  return { host, port: match?.[2] ? Number(match[2]) : DEFAULT_PORT };
}

function withoutQueryParameter(url: string, name: string): string {
  const at = url.indexOf("?");
  if (at === -1) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  query.delete(name);
  const rest = query.toString();
  return rest === "" ? url.slice(0, at) : `${url.slice(0, at)}?${rest}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
