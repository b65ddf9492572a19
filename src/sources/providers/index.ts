/**
 * The providers a source can use, picked once by the config's `type`: everything about
 * one request (is it genuine, which delivery, which event, a handshake to answer) goes
 * through here, so the routes never branch on the type.
 */
import { type ApiKeyConfig, apiKey } from "./api-key.ts";
import { type BasicConfig, basic } from "./basic.ts";
import { ConfigReader } from "./config-reader.ts";
import { type GitHubConfig, github } from "./github.ts";
import { genericHmac, type HmacConfig } from "./hmac.ts";
import { type NoneConfig, none } from "./none.ts";
import {
  type HandshakeAnswer,
  type InboundRequest,
  isVerifierType,
  type Problem,
  type Provider,
  VERIFIER_TYPES,
  type Verification,
  type VerifierType,
} from "./provider.ts";
import { type ShopifyConfig, shopify } from "./shopify.ts";
import { type SlackConfig, slack } from "./slack.ts";
import { type StandardWebhooksConfig, standardWebhooks } from "./standard-webhooks.ts";
import { type StripeConfig, stripe } from "./stripe.ts";

export type {
  ApiKeyConfig,
  BasicConfig,
  GitHubConfig,
  HandshakeAnswer,
  HmacConfig,
  InboundRequest,
  NoneConfig,
  Problem,
  ShopifyConfig,
  SlackConfig,
  StandardWebhooksConfig,
  StripeConfig,
  Verification,
  VerifierType,
};
export { isVerifierType, VERIFIER_TYPES };

/** The typed verifier config, as stored and as the API shows it (secrets masked). */
export type VerifierConfig =
  | StripeConfig
  | ShopifyConfig
  | SlackConfig
  | GitHubConfig
  | StandardWebhooksConfig
  | HmacConfig
  | BasicConfig
  | ApiKeyConfig
  | NoneConfig;

export type ParsedVerifier =
  | { readonly ok: true; readonly config: VerifierConfig }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** A config for display: the same fields, each secret masked. */
export type MaskedVerifier = { readonly type: VerifierType } & Readonly<Record<string, unknown>>;

type ProviderRegistry = {
  readonly [T in VerifierType]: Provider<Extract<VerifierConfig, { readonly type: T }>>;
};

const PROVIDERS: ProviderRegistry = {
  stripe,
  shopify,
  slack,
  github,
  "standard-webhooks": standardWebhooks,
  hmac: genericHmac,
  basic,
  "api-key": apiKey,
  none,
};

/** The one place the type picks the provider; the mapped registry keeps them in step. */
function providerOf<C extends VerifierConfig>(config: C): Provider<C> {
  return PROVIDERS[config.type] as unknown as Provider<C>;
}

/**
 * Checks a verifier config from the API or TOML (snake_case keys): every problem at once,
 * each naming its field (`verifier.secrets[1]`). `secret` becomes `secrets`; defaults
 * (`tolerance`, `algorithm`, `encoding`) are filled in, so the stored config says all
 * that the check does.
 */
export function parseVerifier(input: unknown): ParsedVerifier {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ field: "verifier", message: "must be an object" }] };
  }
  const fields = input as Readonly<Record<string, unknown>>;
  const type = fields.type;
  if (!isVerifierType(type)) {
    const message = `${type === undefined ? "required; " : ""}must be one of ${VERIFIER_TYPES.join(", ")}`;
    return { ok: false, problems: [{ field: "verifier.type", message }] };
  }
  const provider = PROVIDERS[type] as Provider<VerifierConfig>;
  const read = new ConfigReader(fields);
  const secrets = type === "none" ? undefined : read.secrets(provider.validateSecret);
  const own = provider.parse(read);
  read.refuseUnknownFields(type);
  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  const config = { type, ...own, ...(secrets === undefined ? {} : { secrets }) };
  return { ok: true, config: config as VerifierConfig };
}

export function verifyRequest(
  config: VerifierConfig,
  request: InboundRequest,
  now: Date,
): Verification {
  return providerOf(config).verify(config, request, now);
}

/** Bounds an id taken from a request: anything longer or odder is not an id we key on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const DELIVERY_ID = /^[^\u0000-\u001f\u007f]{1,256}$/;

/**
 * The provider's own id of this delivery, the same on its retries, for dedupe; or
 * `undefined`, and the caller then keys on a hash of the verified body. Ask only after
 * `verifyRequest` passed: some ids (GitHub's, Shopify's) come from headers the signature
 * does not cover.
 */
export function deliveryIdOf(config: VerifierConfig, request: InboundRequest): string | undefined {
  const id = providerOf(config).deliveryId?.(config, request);
  return id !== undefined && DELIVERY_ID.test(id) ? id : undefined;
}

/** The provider's event type from its own field, raw (see `sourcedEventType`), or undefined. */
export function providerEventType(
  config: VerifierConfig,
  request: InboundRequest,
): string | undefined {
  return providerOf(config).eventType?.(config, request);
}

/**
 * A handshake the provider expects answered instead of the request being stored (Slack's
 * `url_verification` → 200 `{"challenge"}`). Ask only after `verifyRequest` passed: an
 * unverified challenge answered would let anyone use the URL as an echo.
 */
export function handshakeAnswer(
  config: VerifierConfig,
  request: InboundRequest,
): HandshakeAnswer | undefined {
  return providerOf(config).handshake?.(config, request);
}

/**
 * Headers whose names say "credentials" whatever the config: the dashboard shows stored
 * headers, and a browser or proxy in front of a sender can add these.
 */
const ALWAYS_CREDENTIALS = ["authorization", "proxy-authorization", "cookie"] as const;

/** Names (lower case) of request headers that carry credentials: never to be stored. */
export function credentialHeaders(config: VerifierConfig): readonly string[] {
  const own = providerOf(config).credentialHeaders?.(config) ?? [];
  return [...new Set([...ALWAYS_CREDENTIALS, ...own])];
}

/**
 * Public prefixes kept in a masked secret: they say which kind of secret it is, and
 * anyone reading the provider's documentation knows them.
 */
const PUBLIC_PREFIXES = ["whsec_", "Bearer "] as const;
/**
 * The last four characters are shown only of a secret at least this long (after its
 * prefix), so that at least twelve stay unknown; a short one (a password) shows nothing.
 */
const MIN_LENGTH_TO_HINT = 16;

/** One secret for display: `whsec_…a1b2`, or `…` alone for a short one. */
export function maskSecret(secret: string): string {
  const prefix = PUBLIC_PREFIXES.find((candidate) => secret.startsWith(candidate)) ?? "";
  const rest = secret.slice(prefix.length);
  return rest.length >= MIN_LENGTH_TO_HINT ? `${prefix}…${rest.slice(-4)}` : `${prefix}…`;
}

/** The config for API answers and pages: every field as stored, every secret masked. */
export function maskedVerifier(config: VerifierConfig): MaskedVerifier {
  if (!("secrets" in config)) return { ...config };
  return { ...config, secrets: config.secrets.map(maskSecret) };
}
