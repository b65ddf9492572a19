/**
 * ALLOWED_HOSTS: which names a request may be addressed to. Against DNS rebinding: a
 * page on evil.example whose name then resolves to 127.0.0.1 gets the visitor's browser
 * to talk to a local hookyard as if it were evil.example, same-origin in the browser's
 * eyes, so only the `Host` header (still evil.example) tells the two apart.
 */
import type { HostPattern } from "../config.ts";

/** The host name of a `Host` header: lower case, no port, no IPv6 brackets, no root dot. */
export function hostNameOf(header: string): string {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](:\d*)?$/.exec(value);
  const host = bracketed ? (bracketed[1] as string) : value.replace(/:\d*$/, "");
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

export function hostMatches(host: string, patterns: readonly HostPattern[]): boolean {
  return patterns.some((pattern) =>
    pattern.kind === "exact" ? host === pattern.host : host.endsWith(`.${pattern.domain}`),
  );
}

/** Whether a request with this `Host` header (null when none was sent) may be answered. */
export function isAllowedHost(
  header: string | null,
  patterns: readonly HostPattern[] | undefined,
): boolean {
  if (patterns === undefined) return true;
  return header !== null && hostMatches(hostNameOf(header), patterns);
}
