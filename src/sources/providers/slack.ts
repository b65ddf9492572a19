/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` keyed
 * with the app's signing secret, the timestamp in `X-Slack-Request-Timestamp`. The same
 * scheme signs Events API callbacks (JSON), interactivity (a form whose `payload` field
 * holds JSON) and slash commands (a form with `command`).
 * https://api.slack.com/authentication/verifying-requests-from-slack
 */
import type { ConfigReader } from "./config-reader.ts";
import { anySecretSigned, decodeHex, hmac } from "./digests.ts";
import type {
  HandshakeAnswer,
  Provider,
  SecretsField,
  ToleranceField,
  Verification,
} from "./provider.ts";
import { headerValue, missingHeader, stringAt } from "./request.ts";
import { checkTimestamp, DEFAULT_TOLERANCE, parseUnixSeconds } from "./timestamp.ts";

export interface SlackConfig extends SecretsField, ToleranceField {
  readonly type: "slack";
}

const SIGNATURE = "X-Slack-Signature";
const TIMESTAMP = "X-Slack-Request-Timestamp";
const SIGNATURE_FORMAT = /^v0=([0-9a-f]{64})$/i;

export const slack: Provider<SlackConfig> = {
  parse: (read: ConfigReader) => ({ tolerance: read.tolerance("tolerance", DEFAULT_TOLERANCE) }),

  verify(config, request, now): Verification {
    const signature = headerValue(request.headers, SIGNATURE);
    if (signature === undefined) return missingHeader(SIGNATURE);
    const timestampText = headerValue(request.headers, TIMESTAMP);
    if (timestampText === undefined) return missingHeader(TIMESTAMP);
    const timestamp = parseUnixSeconds(timestampText);
    if (timestamp === undefined) return { ok: false, reason: `${TIMESTAMP}: not Unix seconds` };
    const hex = SIGNATURE_FORMAT.exec(signature)?.[1];
    if (hex === undefined) {
      return { ok: false, reason: `${SIGNATURE}: not v0= followed by 64 hex digits` };
    }
    const fresh = checkTimestamp(TIMESTAMP, timestamp, now, config.tolerance);
    if (!fresh.ok) return fresh;
    // The base string uses the header exactly as sent, as Slack signed it.
    const signed = (secret: string) => hmac("sha256", secret, `v0:${timestampText}:`, request.body);
    const given = decodeHex(hex, 32) ?? Buffer.alloc(0);
    return anySecretSigned(config.secrets, signed, [given])
      ? { ok: true }
      : { ok: false, reason: `${SIGNATURE}: signature mismatch` };
  },

  /** Events API callbacks carry `event_id`, the same on Slack's retries; the rest carry none. */
  deliveryId: (_config, request) => stringAt(request.payload, "event_id"),
  eventType: (_config, request) => slackEventType(request.payload),

  /** Slack checks a new Request URL with a challenge it expects echoed back. */
  handshake(_config, request): HandshakeAnswer | undefined {
    if (stringAt(request.payload, "type") !== "url_verification") return undefined;
    const challenge = stringAt(request.payload, "challenge");
    return challenge === undefined ? undefined : { status: 200, body: { challenge } };
  },
};

/**
 * `event.type` of an Events API callback (`app_mention`), else the body's `type`
 * (`url_verification`, `app_rate_limited`); an interactivity payload's `type`
 * (`block_actions`, `view_submission`); `slash_command` for a slash command.
 */
export function slackEventType(payload: unknown): string | undefined {
  const type = stringAt(payload, "type");
  if (type === "event_callback") return stringAt(payload, "event", "type");
  if (type !== undefined) return type;
  const interaction = stringAt(payload, "payload");
  if (interaction !== undefined) return stringAt(parseJson(interaction), "type");
  if (stringAt(payload, "command") !== undefined) return "slash_command";
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
