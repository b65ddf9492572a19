/**
 * A generic HMAC signature, for senders without a provider of their own: most sign the
 * raw body with a shared secret and put the digest in one header, differing only in the
 * hash, the encoding and a prefix.
 */
import type { ConfigReader } from "./config-reader.ts";
import {
  anySecretSigned,
  DIGEST_BYTES,
  decodeBase64,
  decodeHex,
  type HmacAlgorithm,
  hmac,
} from "./digests.ts";
import type { Provider, SecretsField, Verification } from "./provider.ts";
import { headerValue, missingHeader } from "./request.ts";
import { checkTimestamp, DEFAULT_TOLERANCE, parseUnixSeconds } from "./timestamp.ts";

const ALGORITHMS = ["sha256", "sha1", "sha512"] as const satisfies readonly HmacAlgorithm[];
const ENCODINGS = ["hex", "base64"] as const;

/**
 * `header` carries `<prefix><digest>`, the digest being the HMAC (`algorithm`, default
 * sha256) of the raw body keyed with a secret (its text as UTF-8), written in `encoding`
 * (hex, either case, or base64, standard or URL-safe; default hex).
 *
 * With `timestamp_header`, the sender also sends the time of sending as Unix seconds,
 * and the signed content is `<timestamp>.<raw body>` (the timestamp exactly as sent, a
 * full stop, then the body): a request older or newer than `tolerance` (default 5m)
 * fails, so a captured one cannot be replayed later. `tolerance` applies only then.
 */
export interface HmacConfig extends SecretsField {
  readonly type: "hmac";
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: (typeof ENCODINGS)[number];
  /** Text before the digest (`"sha256="`), required when set. */
  readonly prefix?: string;
  readonly timestamp_header?: string;
  /** Present exactly when `timestamp_header` is. */
  readonly tolerance?: string;
}

export const genericHmac: Provider<HmacConfig> = {
  parse(read: ConfigReader) {
    const header = read.headerName("header", "required") ?? "";
    const algorithm = read.choice("algorithm", ALGORITHMS, "sha256");
    const encoding = read.choice("encoding", ENCODINGS, "hex");
    const prefix = read.optional("prefix", { max: 64 });
    const timestampHeader = read.headerName("timestamp_header", "optional");
    if (timestampHeader !== undefined && timestampHeader.toLowerCase() === header.toLowerCase()) {
      read.problem("timestamp_header", "must differ from header");
    }
    if (read.has("tolerance") && !read.has("timestamp_header")) {
      read.problem("tolerance", "applies only with timestamp_header");
    }
    return {
      header,
      algorithm,
      encoding,
      ...(prefix === undefined ? {} : { prefix }),
      ...(timestampHeader === undefined
        ? {}
        : {
            timestamp_header: timestampHeader,
            tolerance: read.tolerance("tolerance", DEFAULT_TOLERANCE),
          }),
    };
  },

  verify(config, request, now): Verification {
    const value = headerValue(request.headers, config.header);
    if (value === undefined) return missingHeader(config.header);
    const prefix = config.prefix ?? "";
    if (!value.startsWith(prefix)) {
      return { ok: false, reason: `${config.header}: does not start with "${prefix}"` };
    }
    const bytes = DIGEST_BYTES[config.algorithm];
    const digest = value.slice(prefix.length);
    const given =
      config.encoding === "hex" ? decodeHex(digest, bytes) : decodeBase64(digest, bytes);
    if (given === undefined) {
      return {
        ok: false,
        reason: `${config.header}: not ${config.encoding} of a ${config.algorithm} digest`,
      };
    }
    const signedPrefix = timestampPrefix(config, request.headers, now);
    if (!signedPrefix.ok) return signedPrefix;
    const signed = (secret: string) =>
      hmac(config.algorithm, secret, signedPrefix.text, request.body);
    return anySecretSigned(config.secrets, signed, [given])
      ? { ok: true }
      : { ok: false, reason: `${config.header}: signature mismatch` };
  },
};

/** `<timestamp>.` when the config signs a timestamp and it is fresh; `""` when it signs none. */
function timestampPrefix(
  config: HmacConfig,
  headers: Headers,
  now: Date,
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string } {
  const name = config.timestamp_header;
  if (name === undefined) return { ok: true, text: "" };
  const text = headerValue(headers, name);
  if (text === undefined) return { ok: false, reason: `missing ${name} header` };
  const seconds = parseUnixSeconds(text);
  if (seconds === undefined) return { ok: false, reason: `${name}: not Unix seconds` };
  const fresh = checkTimestamp(name, seconds, now, config.tolerance ?? DEFAULT_TOLERANCE);
  return fresh.ok ? { ok: true, text: `${text}.` } : fresh;
}
