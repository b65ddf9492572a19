/**
 * GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
 * body>` keyed with the webhook's secret. Several secrets may be configured while one is
 * being rotated; any of them verifies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "missing signature" | "malformed signature" | "signature mismatch";
    };

const HEADER = /^sha256=([0-9a-f]{64})$/i;

export function signGitHubPayload(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifyGitHubSignature(
  secrets: readonly string[],
  header: string | null | undefined,
  body: Uint8Array,
): SignatureCheck {
  if (!header) return { ok: false, reason: "missing signature" };
  const match = HEADER.exec(header.trim());
  if (!match) return { ok: false, reason: "malformed signature" };
  const given = Buffer.from((match[1] as string).toLowerCase(), "hex");
  // Check every secret, not stopping at the first match, so timing does not tell which one.
  let verified = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    if (timingSafeEqual(expected, given)) verified = true;
  }
  return verified ? { ok: true } : { ok: false, reason: "signature mismatch" };
}
