/**
 * Sending to the addresses the SSRF check approved (./ssrf.ts), not to the host name:
 * fetch given the name would resolve it again, and a name with a short TTL can answer a
 * public address to the check and 169.254.169.254 to fetch a moment later (DNS rebinding).
 *
 * The URL names the address; the receiver still sees its own name wherever it looks: the
 * Host header, and over TLS the server name (SNI), which is also the name Bun's fetch
 * verifies the certificate against (`tls.serverName`; Bun 1.4.5 keeps one connection pool
 * per server name, so a connection verified for one name never carries another's request).
 */
import { isIP } from "node:net";
import { describeNetworkError, neverConnected } from "./network-errors.ts";

/** `fetch` as the attempt uses it; injectable for tests. */
export type FetchFunction = (url: string, init: BunFetchRequestInit) => Promise<Response>;

export interface PinnedInit extends Omit<BunFetchRequestInit, "headers"> {
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `fetch(url, init)`, connected to one of `addresses` rather than to what the URL's host
 * resolves to now. Without addresses, or when the URL already names an address, it is
 * plain `fetch(url, init)`.
 *
 * Given a name, fetch races its IPv6 and IPv4 addresses (happy eyeballs). A request cannot
 * be raced without risking sending it twice, so the addresses are tried in turn, moving on
 * only when no connection was made, and IPv4 first: a machine without working IPv6 may
 * still route it into nowhere and wait out the whole timeout there, while a machine
 * without IPv4 refuses it at once.
 *
 * Rejects as fetch does when `init.signal` aborts; otherwise with an error whose message
 * says, for each address tried, what went wrong there and for which host.
 */
export async function fetchPinned(
  fetch: FetchFunction,
  url: string,
  addresses: readonly string[] | undefined,
  init: PinnedInit,
): Promise<Response> {
  if (addresses === undefined || addresses.length === 0) return fetch(url, init);
  const target = new URL(url);
  const hostname = withoutBrackets(target.hostname);
  if (isIP(hostname) !== 0) return fetch(url, init);

  const pinned: BunFetchRequestInit = { ...init, headers: { ...init.headers, host: target.host } };
  // RFC 6066: the server name is sent without the root's trailing dot.
  if (target.protocol === "https:") pinned.tls = { ...init.tls, serverName: rootless(hostname) };
  const failures: string[] = [];
  for (const address of ipv4First(addresses)) {
    target.hostname = isIpv6(address) ? `[${address}]` : address;
    try {
      return await fetch(target.href, pinned);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      failures.push(`${describeNetworkError(error)} (${hostname} at ${address})`);
      if (!neverConnected(error)) break;
    }
  }
  throw new Error(failures.join("; "));
}

function withoutBrackets(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
}

function rootless(hostname: string): string {
  return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
}

const isIpv6 = (address: string) => address.includes(":");
const isIpv4 = (address: string) => !isIpv6(address);

/** The addresses with IPv4 before IPv6, otherwise in the resolver's order. */
function ipv4First(addresses: readonly string[]): readonly string[] {
  const firstIpv6 = addresses.findIndex(isIpv6);
  const ipv4Later = firstIpv6 !== -1 && addresses.findLastIndex(isIpv4) > firstIpv6;
  return ipv4Later ? [...addresses.filter(isIpv4), ...addresses.filter(isIpv6)] : addresses;
}
