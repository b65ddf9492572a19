/**
 * No check at all: anyone who knows the URL can post to it. Only ever the user's explicit
 * choice (`"type": "none"`), never a default, for senders that can do nothing else.
 */
import type { Provider } from "./provider.ts";

export interface NoneConfig {
  readonly type: "none";
}

export const none: Provider<NoneConfig> = {
  parse: () => ({}),
  verify: () => ({ ok: true }),
};
