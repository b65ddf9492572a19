/**
 * What a failed connection or read means, in words an operator reads in the dashboard,
 * from the error codes Bun's fetch and the resolver use.
 */

const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ConnectionRefused: "connection refused",
  ECONNRESET: "connection reset",
  ConnectionClosed: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed (try again)",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  CERT_HAS_EXPIRED: "TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS certificate chain is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match the host",
};

/**
 * Failures that happen before a connection exists, so nothing of the request was sent:
 * another address of the same host may be tried without sending the message twice.
 */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ConnectionRefused",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  if (code !== undefined) return NETWORK_ERRORS[code] ?? `${code}: ${error.message}`;
  return error.message || error.name;
}

/** Whether `error` means no connection was made (see NOT_CONNECTED). */
export function neverConnected(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && NOT_CONNECTED.has(code);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
