/**
 * Settings: environment variables over a TOML file over defaults, parsed once at start
 * into one frozen, typed object. Nothing else in hookyard reads `process.env`.
 * Every bad value throws a `ConfigError` naming the setting; the CLI turns it into exit 2.
 */
import { Cron } from "croner";
import { type DatabaseTarget, databaseTarget } from "./config/database.ts";
import { ConfigError } from "./config/errors.ts";
import {
  allowedHosts,
  type HostPattern,
  type ListenHostOrigin,
  listenHost,
} from "./config/hosts.ts";
import { formatDuration, parseDuration, parseSize } from "./config/units.ts";
import { readDeclaredSources } from "./sources/declared.ts";
import type { Source } from "./sources/definition.ts";

export type { DatabaseTarget } from "./config/database.ts";
export { ConfigError } from "./config/errors.ts";
export type { HostPattern, ListenHostOrigin } from "./config/hosts.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Config {
  readonly host: string;
  readonly hostOrigin: ListenHostOrigin;
  /**
   * Host names requests may be addressed to (the `Host` header), against DNS rebinding;
   * undefined: any. ALLOWED_HOSTS, or the loopback names when hookyard listens on loopback
   * only because ADMIN_TOKEN is unset.
   */
  readonly allowedHosts: readonly HostPattern[] | undefined;
  readonly port: number;
  readonly database: DatabaseTarget;
  readonly adminToken: string | undefined;
  /** Several secrets, comma-separated in the setting, so a secret can be rotated without downtime. */
  readonly githubWebhookSecrets: readonly string[];
  readonly eventsWebhookSecret: string | undefined;
  readonly pubsubToken: string | undefined;
  readonly svixToken: string | undefined;
  readonly svixServerUrl: string | undefined;
  readonly relayMaxAgeMs: number;
  readonly retentionMs: number;
  readonly retentionCron: string;
  readonly deliveryRetryScheduleMs: readonly number[];
  readonly deliveryTimeoutMs: number;
  readonly deliveryConcurrency: number;
  readonly allowPrivateEndpoints: boolean;
  readonly maxBodySizeBytes: number;
  readonly shutdownTimeoutMs: number;
  /**
   * ENDPOINT_DISABLE_AFTER: an endpoint whose deliveries have all failed for this long is
   * disabled, as Svix does; undefined (`0`): never.
   */
  readonly endpointDisableAfterMs: number | undefined;
  /** SECRET_ROTATION_OVERLAP: how long a rotated-out endpoint secret still signs beside the new one. */
  readonly secretRotationOverlapMs: number;
  readonly logLevel: LogLevel;
  /** Sources declared in the config file; those of the API are stored. */
  readonly sources: readonly Source[];
}

/** The settings hookyard knows, with their defaults (`undefined`: unset unless given). */
export const SETTINGS = {
  /** Unset: 0.0.0.0 with ADMIN_TOKEN, 127.0.0.1 without (see ListenHostOrigin). */
  HOST: undefined,
  PORT: "8000",
  DATABASE_URL: "sqlite:./data/hookyard.db",
  ADMIN_TOKEN: undefined,
  GITHUB_WEBHOOK_SECRET: undefined,
  EVENTS_WEBHOOK_SECRET: undefined,
  PUBSUB_TOKEN: undefined,
  SVIX_TOKEN: undefined,
  SVIX_SERVER_URL: undefined,
  RELAY_MAX_AGE: "24h",
  RETENTION: "7d",
  RETENTION_CRON: "*/10 * * * *",
  DELIVERY_RETRY_SCHEDULE: "5s,5m,30m,2h,5h,10h,10h",
  DELIVERY_TIMEOUT: "15s",
  DELIVERY_CONCURRENCY: "32",
  ALLOW_PRIVATE_ENDPOINTS: "false",
  MAX_BODY_SIZE: "25mb",
  SHUTDOWN_TIMEOUT: "10s",
  ENDPOINT_DISABLE_AFTER: "5d",
  SECRET_ROTATION_OVERLAP: "24h",
  LOG_LEVEL: "info",
  ALLOWED_HOSTS: undefined,
} as const satisfies Record<string, string | undefined>;

export type SettingName = keyof typeof SETTINGS;

/**
 * The settings as given (`undefined`: unset), and the sources a config file declares
 * (../sources/declared.ts).
 */
type RawSettings = Partial<Record<SettingName, string>> & {
  readonly sources?: readonly Source[];
};

const quote = (value: string) => JSON.stringify(value);

/**
 * Reads a TOML config file's text: keys are the settings' names in lower case
 * (`port = 8080`, `database_url = "postgres://…"`). An unknown key is an error, so a
 * typo does not silently fall back to a default.
 */
export function readConfigFile(text: string, fileName: string): RawSettings {
  let table: Record<string, unknown>;
  try {
    table = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError("--config", `${fileName} is not valid TOML: ${(error as Error).message}`);
  }
  const raw: { -readonly [K in keyof RawSettings]: RawSettings[K] } = {};
  for (const [key, value] of Object.entries(table)) {
    if (key === "sources") {
      raw.sources = readDeclaredSources(value, fileName);
      continue;
    }
    const name = key.toUpperCase() as SettingName;
    if (!(name in SETTINGS) || key !== key.toLowerCase()) {
      throw new ConfigError("--config", `${fileName}: unknown setting "${key}"`);
    }
    if (Array.isArray(value)) raw[name] = value.map(String).join(",");
    else if (typeof value === "object" && value !== null) {
      throw new ConfigError(name, `expected a value, got a table in ${fileName}`);
    } else raw[name] = String(value);
  }
  return raw;
}

/** Environment variables win over the file; an empty variable counts as unset. */
export function mergeSettings(
  env: Record<string, string | undefined>,
  file: RawSettings = {},
): RawSettings {
  const merged: Partial<Record<SettingName, string>> & Pick<RawSettings, "sources"> = { ...file };
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = env[name];
    if (value !== undefined && value !== "") merged[name] = value;
  }
  return merged;
}

export function loadConfig(env: Record<string, string | undefined>, file?: RawSettings): Config {
  const raw = mergeSettings(env, file);
  const get = (name: SettingName): string | undefined => {
    const value = raw[name] ?? SETTINGS[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const required = (name: SettingName): string => get(name) as string;
  const adminToken = get("ADMIN_TOKEN");
  const listen = listenHost(get("HOST"), adminToken);

  return Object.freeze({
    ...listen,
    allowedHosts: allowedHosts(get("ALLOWED_HOSTS"), listen.hostOrigin),
    port: integerIn("PORT", required("PORT"), 1, 65_535),
    database: databaseTarget(required("DATABASE_URL")),
    adminToken,
    githubWebhookSecrets: Object.freeze(
      (get("GITHUB_WEBHOOK_SECRET") ?? "")
        .split(",")
        .map((secret) => secret.trim())
        .filter((secret) => secret !== ""),
    ),
    eventsWebhookSecret: standardWebhookSecret(
      "EVENTS_WEBHOOK_SECRET",
      get("EVENTS_WEBHOOK_SECRET"),
    ),
    pubsubToken: get("PUBSUB_TOKEN"),
    svixToken: get("SVIX_TOKEN"),
    svixServerUrl: httpUrl("SVIX_SERVER_URL", get("SVIX_SERVER_URL")),
    relayMaxAgeMs: duration("RELAY_MAX_AGE", required("RELAY_MAX_AGE"), { min: 1_000 }),
    retentionMs: duration("RETENTION", required("RETENTION"), { min: 60_000 }),
    retentionCron: cronExpression("RETENTION_CRON", required("RETENTION_CRON")),
    deliveryRetryScheduleMs: retrySchedule(required("DELIVERY_RETRY_SCHEDULE")),
    deliveryTimeoutMs: duration("DELIVERY_TIMEOUT", required("DELIVERY_TIMEOUT"), {
      min: 100,
      max: 300_000,
    }),
    deliveryConcurrency: integerIn(
      "DELIVERY_CONCURRENCY",
      required("DELIVERY_CONCURRENCY"),
      1,
      1024,
    ),
    allowPrivateEndpoints: boolean("ALLOW_PRIVATE_ENDPOINTS", required("ALLOW_PRIVATE_ENDPOINTS")),
    maxBodySizeBytes: size("MAX_BODY_SIZE", required("MAX_BODY_SIZE")),
    shutdownTimeoutMs: duration("SHUTDOWN_TIMEOUT", required("SHUTDOWN_TIMEOUT"), { min: 0 }),
    endpointDisableAfterMs: orNever(
      duration("ENDPOINT_DISABLE_AFTER", required("ENDPOINT_DISABLE_AFTER"), { min: 0 }),
    ),
    secretRotationOverlapMs: duration(
      "SECRET_ROTATION_OVERLAP",
      required("SECRET_ROTATION_OVERLAP"),
      { min: 0, max: 30 * 86_400_000 },
    ),
    logLevel: logLevel(required("LOG_LEVEL")),
    sources: Object.freeze([...(raw.sources ?? [])]),
  });
}

function integerIn(name: SettingName, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer ${min}-${max}, got ${quote(text)}`);
  }
  return value;
}

function duration(name: SettingName, text: string, bounds: { min: number; max?: number }): number {
  // A bare 0 needs no unit (ENDPOINT_DISABLE_AFTER=0: never).
  const ms = text === "0" ? 0 : parseDuration(text);
  if (ms === undefined) {
    throw new ConfigError(
      name,
      `expected a duration such as 250ms, 30s, 15m, 2h or 7d, got ${quote(text)}`,
    );
  }
  if (ms < bounds.min) {
    throw new ConfigError(
      name,
      `must be at least ${formatDuration(bounds.min)}, got ${quote(text)}`,
    );
  }
  if (bounds.max !== undefined && ms > bounds.max) {
    throw new ConfigError(
      name,
      `must be at most ${formatDuration(bounds.max)}, got ${quote(text)}`,
    );
  }
  return ms;
}

/** `0` means never. */
const orNever = (ms: number): number | undefined => (ms === 0 ? undefined : ms);

function size(name: SettingName, text: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined || bytes < 1024) {
    throw new ConfigError(
      name,
      `expected a size of at least 1kb such as 512kb or 25mb, got ${quote(text)}`,
    );
  }
  return bytes;
}

function boolean(name: SettingName, text: string): boolean {
  const value = text.toLowerCase();
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got ${quote(text)}`);
}

function logLevel(text: string): LogLevel {
  const levels: readonly LogLevel[] = ["debug", "info", "warn", "error"];
  const value = text.toLowerCase() as LogLevel;
  if (!levels.includes(value)) {
    throw new ConfigError("LOG_LEVEL", `expected one of ${levels.join(", ")}, got ${quote(text)}`);
  }
  return value;
}

function standardWebhookSecret(name: SettingName, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const key = text.startsWith("whsec_") ? text.slice("whsec_".length) : text;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, "base64").length < 16) {
    throw new ConfigError(name, "expected whsec_ followed by base64 of at least 16 bytes");
  }
  return text;
}

function httpUrl(name: SettingName, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got ${quote(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `expected an http(s) URL, got ${quote(text)}`);
  }
  return text.replace(/\/+$/, "");
}

function cronExpression(name: SettingName, text: string): string {
  try {
    new Cron(text, { paused: true }).stop();
  } catch (error) {
    throw new ConfigError(
      name,
      `not a valid cron expression ${quote(text)}: ${(error as Error).message}`,
    );
  }
  return text;
}

function retrySchedule(text: string): readonly number[] {
  const parts = text.split(",").map((part) => part.trim());
  const delays = parts.map((part) => parseDuration(part));
  const bad = parts.find((_, index) => delays[index] === undefined);
  if (bad !== undefined || parts.length > 50) {
    throw new ConfigError(
      "DELIVERY_RETRY_SCHEDULE",
      `expected up to 50 comma-separated durations such as 5s,5m,30m, got ${quote(text)}`,
    );
  }
  return Object.freeze(delays as number[]);
}
