/**
 * A shared key in a header (`X-Api-Key: <key>`), for senders that sign nothing. The
 * header's whole value must equal one of the secrets: for `Authorization: Bearer <key>`,
 * set `header` to `authorization` and the secret to `Bearer <key>`.
 */
import type { ConfigReader } from "./config-reader.ts";
import { anySecretEquals } from "./digests.ts";
import type { Provider, SecretsField, Verification } from "./provider.ts";
import { headerValue, missingHeader } from "./request.ts";

export interface ApiKeyConfig extends SecretsField {
  readonly type: "api-key";
  readonly header: string;
}

export const apiKey: Provider<ApiKeyConfig> = {
  parse: (read: ConfigReader) => ({ header: read.headerName("header", "required") ?? "" }),

  verify(config, request): Verification {
    const key = headerValue(request.headers, config.header);
    if (key === undefined) return missingHeader(config.header);
    return anySecretEquals(config.secrets, key)
      ? { ok: true }
      : { ok: false, reason: `${config.header}: wrong key` };
  },

  credentialHeaders: (config) => [config.header.toLowerCase()],
};
