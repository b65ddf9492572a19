/**
 * `hookyard help settings`: each setting's default and meaning, from the binary itself,
 * which often travels without the README. The README's Configuration table says the same
 * at more length; test/unit/settings-docs.test.ts holds both to SETTINGS.
 */
import { SETTINGS, type SettingName } from "../config.ts";

export const SETTING_HELP: Readonly<Record<SettingName, { default?: string; meaning: string }>> = {
  HOST: {
    default: "0.0.0.0 with ADMIN_TOKEN, 127.0.0.1 without",
    meaning: "listen address",
  },
  PORT: { meaning: "listen port" },
  ALLOWED_HOSTS: {
    default: "any; loopback names when HOST and ADMIN_TOKEN are unset",
    meaning: "comma-separated Host names requests may use (* for any); others get 421",
  },
  DATABASE_URL: {
    meaning: "postgres://… for PostgreSQL; sqlite:PATH or sqlite::memory: for embedded SQLite",
  },
  ADMIN_TOKEN: {
    meaning: "API bearer token and dashboard password; unset: open, on 127.0.0.1 unless HOST",
  },
  GITHUB_WEBHOOK_SECRET: {
    meaning: "your GitHub webhook's secret (comma-separated while rotating)",
  },
  EVENTS_WEBHOOK_SECRET: {
    meaning: "Standard Webhooks secret (whsec_…) that /webhooks/event senders sign with",
  },
  PUBSUB_TOKEN: { meaning: "token Pub/Sub push presents as ?token= or a bearer token" },
  SVIX_TOKEN: { meaning: "Svix API token; unset: relay messages are kept as held" },
  SVIX_SERVER_URL: { default: "from the token", meaning: "Svix API base URL" },
  RELAY_MAX_AGE: { meaning: "how long a relay message is retried before it is failed" },
  RETENTION: { meaning: "how long events, deliveries and relay messages are kept" },
  RETENTION_CRON: { meaning: "when the retention job runs (cron syntax)" },
  DELIVERY_RETRY_SCHEDULE: { meaning: "delays before each retry; the first attempt is at once" },
  DELIVERY_TIMEOUT: { meaning: "one delivery attempt's limit" },
  DELIVERY_CONCURRENCY: { meaning: "delivery attempts in flight per instance" },
  ALLOW_PRIVATE_ENDPOINTS: {
    meaning: "allow endpoint URLs on loopback, private and link-local addresses",
  },
  MAX_BODY_SIZE: { meaning: "larger request bodies get 413" },
  SHUTDOWN_TIMEOUT: { meaning: "how long SIGTERM waits for work in flight" },
  ENDPOINT_DISABLE_AFTER: {
    meaning: "disable an endpoint whose deliveries all failed this long (0: never)",
  },
  SECRET_ROTATION_OVERLAP: {
    meaning: "a rotated-out endpoint secret still signs beside the new one this long",
  },
  LOG_LEVEL: { meaning: "debug, info, warn or error; JSON lines on stdout" },
};

/** The settings as `hookyard help settings` prints them: name, default, meaning. */
export function settingsHelp(): string {
  const names = Object.keys(SETTINGS) as SettingName[];
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => {
    const help = SETTING_HELP[name];
    const fallback = SETTINGS[name];
    const value = help.default ?? (fallback === undefined ? "unset" : fallback);
    return `  ${name.padEnd(width)}  ${help.meaning}\n  ${" ".repeat(width)}  default: ${value}`;
  });
  return `Settings, read from the environment or a --config TOML file (keys in lower case;
the environment wins). Durations: 250ms, 30s, 15m, 2h, 7d. Sizes: 512kb, 25mb.

${lines.join("\n")}

The TOML file may also declare sources (read-only in the API), one table each:
  [sources.stripe-live]
  verifier = { type = "stripe", secret = "whsec_..." }
  event_type = "{{body.type}}"    # optional: the provider's own field otherwise
`;
}
