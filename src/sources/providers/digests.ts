/**
 * The comparisons every provider shares. All of them take the same time whichever secret
 * matches, or whether one does: a signature or key guessed byte by byte from response
 * times is a forged delivery.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type HmacAlgorithm = "sha1" | "sha256" | "sha512";

/** Digest length in bytes, to tell a malformed signature from a wrong one. */
export const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  sha1: 20,
  sha256: 32,
  sha512: 64,
};

export function hmac(
  algorithm: HmacAlgorithm,
  key: string | Uint8Array,
  ...parts: readonly (string | Uint8Array)[]
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** timingSafeEqual throws on buffers of different lengths; for us that is just a mismatch. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether one of `given` is the signature some secret makes. Every secret and every
 * signature is compared, never stopping at a match, so the time taken does not tell
 * which secret matched. Anyone can compute a signature keyed with "": an empty secret
 * never verifies, and with no usable secret nothing does.
 */
export function anySecretSigned(
  secrets: readonly string[],
  sign: (secret: string) => Uint8Array,
  given: readonly Uint8Array[],
): boolean {
  let verified = false;
  for (const secret of secrets) {
    if (secret === "") continue;
    const expected = sign(secret);
    for (const signature of given) {
      if (constantTimeEqual(expected, signature)) verified = true;
    }
  }
  return verified;
}

/**
 * A key for comparing plain credentials (passwords, API keys) as digests: equal-length
 * digests take the same time to compare whatever the lengths of the texts, so response
 * times tell nothing about how long a key is. Random per process, since it protects
 * nothing stored.
 */
const COMPARISON_KEY = randomBytes(32);

function credentialDigest(text: string): Buffer {
  return hmac("sha256", COMPARISON_KEY, text);
}

/** Whether `given` equals one of `secrets` (non-empty), comparing all of them. */
export function anySecretEquals(secrets: readonly string[], given: string): boolean {
  const givenDigest = credentialDigest(given);
  return anySecretSigned(secrets, credentialDigest, [givenDigest]);
}

/** Whether `given` equals `expected`, in constant time. */
export function textEquals(expected: string, given: string): boolean {
  return constantTimeEqual(credentialDigest(expected), credentialDigest(given));
}

const HEX = /^(?:[0-9a-f]{2})+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The bytes of a hex signature, or `undefined` when it is not hex of `bytes` bytes. */
export function decodeHex(text: string, bytes: number): Buffer | undefined {
  if (text.length !== bytes * 2 || !HEX.test(text)) return undefined;
  return Buffer.from(text, "hex");
}

/**
 * The bytes of a base64 signature (standard or URL-safe alphabet, padded or not), or
 * `undefined` when it is not base64 of `bytes` bytes.
 */
export function decodeBase64(text: string, bytes: number): Buffer | undefined {
  if (!BASE64.test(text) && !BASE64URL.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length !== Math.ceil((bytes * 4) / 3)) return undefined;
  const decoded = Buffer.from(unpadded, "base64");
  return decoded.length === bytes ? decoded : undefined;
}
