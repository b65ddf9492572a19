/**
 * The guard between a user-typed endpoint URL and hookyard's network: the URL must be
 * plain http(s) and, unless ALLOW_PRIVATE_ENDPOINTS is set, every address its host resolves
 * to must be public (see ./ip-address.ts for what "public" means).
 *
 * Run it when an endpoint is created or changed, and again before each attempt: DNS can
 * change between the two. The attempt then connects to the addresses this check returned
 * (./pinned-fetch.ts), since even between the check and the connection a name can change
 * its answer (DNS rebinding). Redirects are never followed (./attempt.ts) since a public
 * host could otherwise redirect to a private one after this check.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { type AddressKind, classifyIpAddress } from "./ip-address.ts";

export { type AddressKind, classifyIpAddress, isPublicAddress } from "./ip-address.ts";

/** Longer URLs are no webhook receiver; they are a way to bloat the database and the logs. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

/** Why `url` cannot be an endpoint URL, or `undefined` when it can. Pure: no DNS. */
export function validateEndpointUrl(url: string): string | undefined {
  if (url.length > MAX_ENDPOINT_URL_LENGTH) {
    return `endpoint URL must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "endpoint URL is not a valid URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `endpoint URL must use http or https, got ${parsed.protocol.slice(0, -1)}`;
  }
  // Credentials in the URL would be stored and shown in plain text; use the signature instead.
  if (parsed.username !== "" || parsed.password !== "") {
    return "endpoint URL must not contain credentials (user:password@)";
  }
  if (parsed.hostname === "") return "endpoint URL must have a host";
  return undefined;
}

/** Resolves a host name to all its addresses; `dns.promises.lookup` unless a test injects one. */
export type HostLookup = (hostname: string) => Promise<readonly { readonly address: string }[]>;

export interface DestinationOptions {
  readonly allowPrivate: boolean;
  readonly lookup?: HostLookup;
}

export type DestinationRejection = "invalid-url" | "not-public" | "unresolvable";

export type DestinationCheck =
  /**
   * `addresses` are what the host resolved to, all checked: connect to one of these, not to
   * the name. Empty when allowPrivate skipped the lookup.
   */
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: DestinationRejection; readonly message: string };

const ALLOW_HINT = "set ALLOW_PRIVATE_ENDPOINTS=true to allow it";

const DESCRIPTIONS: Record<Exclude<AddressKind, "public">, string> = {
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  "cloud-metadata": "a cloud metadata address",
  unspecified: "an unspecified address",
  cgnat: "a carrier-grade NAT address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  reserved: "a reserved address",
};

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true });

/**
 * Refuses a URL whose host is, or resolves to, any non-public address. ANY, not all: a
 * name with one public and one private address may be connected on either.
 * "unresolvable" is its own reason so that callers can choose: refuse at creation,
 * or count it as a failed attempt (and retry) at delivery.
 */
export async function assertPublicDestination(
  url: string,
  options: DestinationOptions,
): Promise<DestinationCheck> {
  const invalid = validateEndpointUrl(url);
  if (invalid !== undefined) return { ok: false, reason: "invalid-url", message: invalid };
  if (options.allowPrivate) return { ok: true, addresses: [] };

  const host = hostOf(new URL(url));
  if (isLocalhostName(host)) {
    return {
      ok: false,
      reason: "not-public",
      message: `endpoint URL points to localhost; ${ALLOW_HINT}`,
    };
  }
  const literal = classifyIpAddress(host);
  if (literal !== undefined) {
    return literal === "public"
      ? { ok: true, addresses: [host] }
      : notPublic(`endpoint URL points to ${DESCRIPTIONS[literal]} (${host})`);
  }

  let addresses: string[];
  try {
    addresses = (await (options.lookup ?? defaultLookup)(host)).map((entry) => entry.address);
  } catch (error) {
    return unresolvable(host, errorCode(error));
  }
  if (addresses.length === 0) return unresolvable(host, "no addresses");
  for (const address of addresses) {
    const kind = classifyIpAddress(address) ?? "reserved";
    if (kind !== "public") {
      return notPublic(`endpoint URL resolves to ${DESCRIPTIONS[kind]} (${address})`);
    }
  }
  return { ok: true, addresses };
}

/** The host as a resolver wants it: no IPv6 brackets, no trailing root dot. */
function hostOf(url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

/** RFC 6761: `localhost` and every name under it are loopback, whatever DNS says. */
function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

function notPublic(what: string): DestinationCheck {
  return { ok: false, reason: "not-public", message: `${what}; ${ALLOW_HINT}` };
}

function unresolvable(host: string, why: string): DestinationCheck {
  return {
    ok: false,
    reason: "unresolvable",
    message: `endpoint URL host does not resolve (${host}: ${why})`,
  };
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === "string" ? code : error.message;
  }
  return String(error);
}
