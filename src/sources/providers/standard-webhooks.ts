/**
 * Standard Webhooks (and Svix, which sends the same scheme under `svix-*` names):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
 * decoded `whsec_` secret. Checked by the same code as hookyard's own `/webhooks/event`.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import {
  type StandardWebhookRejection,
  validateWebhookSecret,
  verifyStandardWebhook,
} from "../../lib/standard-webhooks.ts";
import type { ConfigReader } from "./config-reader.ts";
import type { Provider, SecretsField, ToleranceField, Verification } from "./provider.ts";
import { headerValue, stringAt } from "./request.ts";
import { DEFAULT_TOLERANCE, toleranceSeconds } from "./timestamp.ts";

export interface StandardWebhooksConfig extends SecretsField, ToleranceField {
  readonly type: "standard-webhooks";
}

const NAMES = ["id", "timestamp", "signature"] as const;

export const standardWebhooks: Provider<StandardWebhooksConfig> = {
  parse: (read: ConfigReader) => ({ tolerance: read.tolerance("tolerance", DEFAULT_TOLERANCE) }),
  validateSecret: validateWebhookSecret,

  verify(config, request, now): Verification {
    const family = headerFamily(request.headers);
    const absent = NAMES.filter((name) => !headerValue(request.headers, `${family}-${name}`));
    if (absent.length > 0) {
      const names = absent.map((name) => `${family}-${name}`).join(", ");
      return { ok: false, reason: `missing ${names} header${absent.length > 1 ? "s" : ""}` };
    }
    const check = verifyStandardWebhook({
      secrets: config.secrets,
      headers: request.headers,
      body: request.body,
      now,
      toleranceSeconds: toleranceSeconds(config.tolerance),
    });
    return check.ok ? { ok: true } : { ok: false, reason: reason(check.reason, family, config) };
  },

  /** The message id: the same on every retry, and signed, so a replay cannot change it. */
  deliveryId: (_config, request) => {
    const family = headerFamily(request.headers);
    return headerValue(request.headers, `${family}-id`);
  },
  eventType: (_config, request) => stringAt(request.payload, "type"),
};

/** `webhook` unless the request uses Svix's own names and not the standard ones. */
function headerFamily(headers: Headers): "webhook" | "svix" {
  return !headerValue(headers, "webhook-id") && headerValue(headers, "svix-id")
    ? "svix"
    : "webhook";
}

function reason(
  rejection: StandardWebhookRejection,
  family: string,
  config: StandardWebhooksConfig,
): string {
  switch (rejection) {
    case "missing headers":
      return `missing ${family}-id, ${family}-timestamp or ${family}-signature header`;
    case "invalid timestamp":
      return `${family}-timestamp: not Unix seconds`;
    case "timestamp too old":
      return `${family}-timestamp: timestamp outside the ${config.tolerance} tolerance (too old)`;
    case "timestamp too new":
      return `${family}-timestamp: timestamp outside the ${config.tolerance} tolerance (in the future)`;
    case "no matching signature":
      return `${family}-signature: signature mismatch`;
  }
}
