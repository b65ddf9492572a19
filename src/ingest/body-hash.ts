/**
 * A dedupe key for a delivery whose sender gave no id of its own: a hash of the exact
 * bytes that were verified. A captured request sent again is then the same delivery,
 * as long as the first is kept (RETENTION); two genuine deliveries with byte-identical
 * bodies would be one, which for the payloads senders sign (with timestamps and ids of
 * their own inside) does not happen.
 */
import { createHash } from "node:crypto";

/** `sha256:<hex>`: the prefix keeps it apart from any sender's id (GitHub's are GUIDs). */
export function bodyDedupeKey(body: Uint8Array): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
