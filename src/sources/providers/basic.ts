/**
 * HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(username:password)`,
 * for senders that can only be given a URL with credentials. The secrets are the
 * accepted passwords, several while one is being changed.
 */
import type { ConfigReader } from "./config-reader.ts";
import { anySecretEquals, textEquals } from "./digests.ts";
import type { Provider, SecretsField, Verification } from "./provider.ts";
import { headerValue, missingHeader } from "./request.ts";

export interface BasicConfig extends SecretsField {
  readonly type: "basic";
  readonly username: string;
}

const HEADER = "Authorization";
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2})$/i;

export const basic: Provider<BasicConfig> = {
  parse: (read: ConfigReader) => ({
    username: read.required("username", {
      // The first colon ends the username in the header, so a username cannot hold one.
      check: (name) => (name.includes(":") ? "must not contain a colon" : undefined),
    }),
  }),

  verify(config, request): Verification {
    const header = headerValue(request.headers, HEADER);
    if (header === undefined) return missingHeader(HEADER);
    const encoded = BASIC.exec(header)?.[1];
    const decoded = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { ok: false, reason: `${HEADER}: not Basic credentials` };
    // Both parts are compared whatever the first gave, so timing does not tell a known
    // username from an unknown one.
    const username = textEquals(config.username, decoded.slice(0, colon));
    const password = anySecretEquals(config.secrets, decoded.slice(colon + 1));
    return username && password
      ? { ok: true }
      : { ok: false, reason: `${HEADER}: wrong username or password` };
  },

  credentialHeaders: () => ["authorization"],
};
