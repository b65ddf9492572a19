/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, checked by the
 * same code as the built-in `/webhooks/github` route.
 */
import { type SignatureRejection, verifyGitHubSignature } from "../../ingest/github/signature.ts";
import type { Provider, SecretsField, Verification } from "./provider.ts";
import { headerValue } from "./request.ts";

export interface GitHubConfig extends SecretsField {
  readonly type: "github";
}

const HEADER = "X-Hub-Signature-256";

const REASONS: Readonly<Record<SignatureRejection, string>> = {
  "missing signature": `missing ${HEADER} header`,
  "malformed signature": `${HEADER}: not sha256= followed by 64 hex digits`,
  "signature mismatch": `${HEADER}: signature mismatch`,
};

export const github: Provider<GitHubConfig> = {
  parse: () => ({}),

  verify(config, request): Verification {
    const check = verifyGitHubSignature(config.secrets, request.headers.get(HEADER), request.body);
    return check.ok ? check : { ok: false, reason: REASONS[check.reason] };
  },

  /** A GUID per event: a redelivery keeps it (github/docs#32822), so it dedupes one. */
  deliveryId: (_config, request) => headerValue(request.headers, "X-GitHub-Delivery"),
  eventType: (_config, request) => headerValue(request.headers, "X-GitHub-Event"),
};
