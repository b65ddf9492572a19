/**
 * Where hookyard listens and which Host names it answers to: HOST and ALLOWED_HOSTS, and
 * their defaults, which depend on whether ADMIN_TOKEN is set.
 */
import { ConfigError } from "./errors.ts";

/**
 * Why hookyard listens where it does. With no ADMIN_TOKEN anyone who reaches the port can
 * manage hookyard, so unless HOST says otherwise it listens on loopback only.
 */
export type ListenHostOrigin = "HOST" | "default" | "loopback-without-admin-token";

/** An ALLOWED_HOSTS entry: a name or address, or every name under a domain (`*.example.com`). */
export type HostPattern =
  | { readonly kind: "exact"; readonly host: string }
  | { readonly kind: "subdomains"; readonly domain: string };

const LOOPBACK_HOSTS: readonly HostPattern[] = Object.freeze([
  { kind: "exact", host: "localhost" },
  { kind: "subdomains", domain: "localhost" },
  { kind: "exact", host: "127.0.0.1" },
  { kind: "exact", host: "::1" },
]);

export function listenHost(
  host: string | undefined,
  adminToken: string | undefined,
): { host: string; hostOrigin: ListenHostOrigin } {
  if (host !== undefined) return { host, hostOrigin: "HOST" };
  return adminToken === undefined
    ? { host: "127.0.0.1", hostOrigin: "loopback-without-admin-token" }
    : { host: "0.0.0.0", hostOrigin: "default" };
}

/**
 * ALLOWED_HOSTS as patterns, `*` for any. Unset, any host is allowed, except when
 * hookyard listens on loopback only because ADMIN_TOKEN is unset: that instance is
 * open, and the one way left to reach it from afar is a web page whose DNS name turns
 * to 127.0.0.1 after it loaded (DNS rebinding), whose requests carry that name as Host.
 */
export function allowedHosts(
  text: string | undefined,
  hostOrigin: ListenHostOrigin,
): readonly HostPattern[] | undefined {
  if (text === undefined) {
    return hostOrigin === "loopback-without-admin-token" ? LOOPBACK_HOSTS : undefined;
  }
  const entries = text
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
  if (entries.includes("*")) return undefined;
  return Object.freeze(entries.map(hostPattern));
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;
const IPV6 = /^[0-9a-f:.]+$/;

function hostPattern(entry: string): HostPattern {
  const bare = entry.replace(/\.$/, "");
  if (bare.startsWith("*.") && HOST_NAME.test(bare.slice(2))) {
    return { kind: "subdomains", domain: bare.slice(2) };
  }
  const ipv6 = /^\[(.*)\]$/.exec(bare)?.[1] ?? (bare.includes(":") ? bare : undefined);
  if (ipv6 !== undefined && IPV6.test(ipv6) && ipv6.includes(":")) {
    return { kind: "exact", host: ipv6 };
  }
  if (HOST_NAME.test(bare)) return { kind: "exact", host: bare };
  throw new ConfigError(
    "ALLOWED_HOSTS",
    `expected host names without scheme or port (hooks.example.com, *.example.com, 127.0.0.1) or *, got ${JSON.stringify(entry)}`,
  );
}
