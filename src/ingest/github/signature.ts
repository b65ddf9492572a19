/**
 * GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
 * body>` keyed with the webhook's secret. Several secrets may be configured while one is
 * being rotated ("new,old": update GitHub, then drop "old"); any of them verifies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureRejection = "missing signature" | "malformed signature" | "signature mismatch";

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: SignatureRejection };

/** 64 hex digits: a SHA-256 digest. GitHub sends lower case; upper case is the same digest. */
const HEADER = /^sha256=([0-9a-f]{64})$/i;

/** The header value GitHub sends for `body` signed with `secret`. */
export function signGitHubPayload(secret: string, body: Uint8Array | string): string {
  return `sha256=${hmacSha256(secret, body).toString("hex")}`;
}

export function verifyGitHubSignature(
  secrets: readonly string[],
  header: string | null | undefined,
  body: Uint8Array,
): SignatureCheck {
  if (!header?.trim()) return { ok: false, reason: "missing signature" };
  const match = HEADER.exec(header.trim());
  if (!match) return { ok: false, reason: "malformed signature" };
  const given = Buffer.from((match[1] as string).toLowerCase(), "hex");
  let verified = false;
  for (const secret of secrets) {
    // Anyone can compute an HMAC keyed with "": an empty secret must never authenticate,
    // whatever the caller passed. With no usable secret at all, this fails closed.
    if (secret === "") continue;
    // Every secret is compared, not stopping at the first match, so the time taken does
    // not tell which one matched.
    if (constantTimeEqual(hmacSha256(secret, body), given)) verified = true;
  }
  return verified ? { ok: true } : { ok: false, reason: "signature mismatch" };
}

function hmacSha256(secret: string, body: Uint8Array | string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/** timingSafeEqual throws on buffers of different lengths; for us that is just a mismatch. */
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
