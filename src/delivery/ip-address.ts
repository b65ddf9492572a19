/**
 * Is an IP address somewhere on the public internet? hookyard posts to URLs its users type
 * in, so without this check an endpoint URL could make it read cloud metadata credentials
 * (169.254.169.254) or poke services on its own private network (SSRF).
 *
 * The ranges are IANA's special-purpose registries (RFC 6890 and successors) for IPv4 and
 * IPv6. IPv6 forms that carry an IPv4 address (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) are judged by the IPv4 address they reach.
 */

export type AddressKind =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "cloud-metadata"
  | "unspecified"
  | "cgnat"
  | "multicast"
  | "broadcast"
  | "reserved";

type Range = readonly [base: bigint, prefixLength: number, kind: AddressKind];

/** Most specific first: the first range that contains the address names it. */
const IPV4_RANGES: readonly Range[] = [
  v4("0.0.0.0/32", "unspecified"),
  v4("255.255.255.255/32", "broadcast"),
  v4("169.254.169.254/32", "cloud-metadata"), // AWS, GCP, Azure, OpenStack…
  v4("100.100.100.200/32", "cloud-metadata"), // Alibaba Cloud
  v4("192.0.0.192/32", "cloud-metadata"), // Oracle Cloud
  v4("0.0.0.0/8", "reserved"), // "this network"
  v4("10.0.0.0/8", "private"),
  v4("100.64.0.0/10", "cgnat"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "reserved"), // IETF protocol assignments
  v4("192.0.2.0/24", "reserved"), // documentation
  v4("192.88.99.0/24", "reserved"), // 6to4 relay anycast
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "reserved"), // benchmarking
  v4("198.51.100.0/24", "reserved"), // documentation
  v4("203.0.113.0/24", "reserved"), // documentation
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved"),
];

const IPV6_RANGES: readonly Range[] = [
  v6("::/128", "unspecified"),
  v6("::1/128", "loopback"),
  v6("fd00:ec2::254/128", "cloud-metadata"), // AWS over IPv6
  v6("::/96", "reserved"), // deprecated IPv4-compatible addresses
  v6("64:ff9b:1::/48", "private"), // local-use NAT64
  v6("100::/64", "reserved"), // discard-only
  v6("2001:db8::/32", "reserved"), // documentation
  v6("2001::/23", "reserved"), // IETF protocol assignments, Teredo
  v6("3fff::/20", "reserved"), // documentation
  v6("5f00::/16", "reserved"), // segment routing
  v6("fc00::/7", "private"), // unique local
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "private"), // deprecated site-local
  v6("ff00::/8", "multicast"),
];

/** Ranges whose addresses carry an IPv4 address in their low 32 bits. */
const IPV6_EMBEDDING_IPV4: readonly (readonly [bigint, number])[] = [
  [parseIPv6("::ffff:0:0") as bigint, 96], // IPv4-mapped
  [parseIPv6("64:ff9b::") as bigint, 96], // well-known NAT64 prefix
];
const SIX_TO_FOUR = parseIPv6("2002::") as bigint;
const GLOBAL_UNICAST = parseIPv6("2000::") as bigint;

/** What kind of address `address` is; `undefined` when it is not an IP address at all. */
export function classifyIpAddress(address: string): AddressKind | undefined {
  const ipv4 = parseIPv4(address);
  if (ipv4 !== undefined) return classify(ipv4, 32, IPV4_RANGES);
  const ipv6 = parseIPv6(address);
  if (ipv6 === undefined) return undefined;
  for (const [base, prefixLength] of IPV6_EMBEDDING_IPV4) {
    if (inRange(ipv6, base, prefixLength, 128)) {
      return classify(ipv6 & 0xffff_ffffn, 32, IPV4_RANGES);
    }
  }
  if (inRange(ipv6, SIX_TO_FOUR, 16, 128)) {
    return classify((ipv6 >> 80n) & 0xffff_ffffn, 32, IPV4_RANGES);
  }
  const kind = classify(ipv6, 128, IPV6_RANGES);
  // Outside 2000::/3 nothing is allocated for global unicast yet.
  if (kind === "public" && !inRange(ipv6, GLOBAL_UNICAST, 3, 128)) return "reserved";
  return kind;
}

export function isPublicAddress(address: string): boolean {
  return classifyIpAddress(address) === "public";
}

function classify(value: bigint, bits: number, ranges: readonly Range[]): AddressKind {
  for (const [base, prefixLength, kind] of ranges) {
    if (inRange(value, base, prefixLength, bits)) return kind;
  }
  return "public";
}

function inRange(value: bigint, base: bigint, prefixLength: number, bits: number): boolean {
  const shift = BigInt(bits - prefixLength);
  return value >> shift === base >> shift;
}

/** Strict dotted quad (`127.0.0.1`), as resolvers and URL parsing produce. */
export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** RFC 4291 text forms: `::` compression, a dotted IPv4 tail, a `%zone` suffix (ignored). */
export function parseIPv6(text: string): bigint | undefined {
  const address = text.split("%")[0] ?? "";
  if (!address.includes(":")) return undefined;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  // A dotted IPv4 part may only end the address.
  const head = groups(halves[0] ?? "", !compressed);
  const tail = compressed ? groups(halves[1] ?? "", true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<number>(compressed ? missing : 0).fill(0), ...tail];
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** 16-bit groups of one side of `::`; a trailing dotted IPv4 counts as two groups. */
function groups(side: string, mayEndInIPv4: boolean): number[] | undefined {
  if (side === "") return [];
  const parts = side.split(":");
  const result: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (mayEndInIPv4 && index === parts.length - 1 && part.includes(".")) {
      const ipv4 = parseIPv4(part);
      if (ipv4 === undefined) return undefined;
      result.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      result.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return result;
}

function v4(cidr: string, kind: AddressKind): Range {
  const [address = "", prefixLength = ""] = cidr.split("/");
  return [parseIPv4(address) as bigint, Number(prefixLength), kind];
}

function v6(cidr: string, kind: AddressKind): Range {
  const [address = "", prefixLength = ""] = cidr.split("/");
  return [parseIPv6(address) as bigint, Number(prefixLength), kind];
}
