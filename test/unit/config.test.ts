import { describe, expect, test } from "bun:test";
import { formatDuration, parseDuration, parseSize } from "../../src/config/units.ts";
import { ConfigError, loadConfig, readConfigFile } from "../../src/config.ts";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("units", () => {
  test.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["15m", 900_000],
    ["2h", 7_200_000],
    ["7d", 604_800_000],
    ["1.5s", 1_500],
  ])("parseDuration(%p) is %p ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(["", "forever", "10", "5 minutes", "-5s", "s"])(
    "parseDuration(%p) is undefined",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  test.each([
    ["512kb", 524_288],
    ["25mb", 26_214_400],
    ["1024", 1024],
    ["1GB", 1024 ** 3],
  ])("parseSize(%p) is %p bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test("formatDuration picks the largest exact unit", () => {
    expect(formatDuration(604_800_000)).toBe("7d");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(1_500)).toBe("1500ms");
  });
});

describe("loadConfig", () => {
  test("defaults follow the contract", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      hostOrigin: "loopback-without-admin-token",
      port: 8000,
      database: { kind: "sqlite", path: "./data/hookyard.db" },
      adminToken: undefined,
      githubWebhookSecrets: [],
      relayMaxAgeMs: 24 * 3_600_000,
      retentionMs: 7 * 86_400_000,
      retentionCron: "*/10 * * * *",
      deliveryRetryScheduleMs: [
        5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
      ],
      deliveryTimeoutMs: 15_000,
      deliveryConcurrency: 32,
      allowPrivateEndpoints: false,
      maxBodySizeBytes: 25 * 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      endpointDisableAfterMs: 5 * 86_400_000,
      secretRotationOverlapMs: 86_400_000,
      logLevel: "info",
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test("reads every kind of database URL", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@db:5432/hy" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u:p@db:5432/hy",
    });
    expect(loadConfig({ DATABASE_URL: "postgresql://db/hy" }).database.kind).toBe("postgres");
    expect(loadConfig({ DATABASE_URL: "postgres://u@h1:5432,h2:5433/hy" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u@h1:5432,h2:5433/hy",
    });
    expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).database).toEqual({
      kind: "sqlite",
      path: ":memory:",
    });
    expect(loadConfig({ DATABASE_URL: "sqlite:/var/lib/hy.db" }).database).toEqual({
      kind: "sqlite",
      path: "/var/lib/hy.db",
    });
  });

  test("sqlite:PATH and sqlite://PATH mean the same path; three slashes make it absolute", () => {
    const path = (url: string) => loadConfig({ DATABASE_URL: url }).database;
    expect(path("sqlite://rel.db")).toEqual({ kind: "sqlite", path: "rel.db" });
    expect(path("sqlite:rel.db")).toEqual({ kind: "sqlite", path: "rel.db" });
    expect(path("sqlite://./data/x.db")).toEqual({ kind: "sqlite", path: "./data/x.db" });
    expect(path("sqlite:///var/lib/hy.db")).toEqual({ kind: "sqlite", path: "/var/lib/hy.db" });
    expect(path("sqlite://:memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(configError(() => path("sqlite://")).message).toStartWith(
      "DATABASE_URL: sqlite: needs a path",
    );
  });

  describe("where hookyard listens", () => {
    test("without ADMIN_TOKEN or HOST: loopback only, and only loopback names as Host", () => {
      const config = loadConfig({});
      expect(config.host).toBe("127.0.0.1");
      expect(config.allowedHosts).toEqual([
        { kind: "exact", host: "localhost" },
        { kind: "subdomains", domain: "localhost" },
        { kind: "exact", host: "127.0.0.1" },
        { kind: "exact", host: "::1" },
      ]);
    });

    test("with ADMIN_TOKEN and no HOST: every interface, any Host", () => {
      expect(loadConfig({ ADMIN_TOKEN: "t" })).toMatchObject({
        host: "0.0.0.0",
        hostOrigin: "default",
        allowedHosts: undefined,
      });
    });

    test("an explicit HOST is kept, token or not, and allows any Host unless ALLOWED_HOSTS", () => {
      expect(loadConfig({ HOST: "0.0.0.0" })).toMatchObject({
        host: "0.0.0.0",
        hostOrigin: "HOST",
        allowedHosts: undefined,
      });
      expect(loadConfig({ HOST: "::", ADMIN_TOKEN: "t" }).host).toBe("::");
    });

    test("ALLOWED_HOSTS takes names, addresses and *.domain; * allows any", () => {
      const config = loadConfig({
        ALLOWED_HOSTS: "Hooks.Example.com., *.internal.example, 10.0.0.7, [::1], fe80::1",
      });
      expect(config.allowedHosts).toEqual([
        { kind: "exact", host: "hooks.example.com" },
        { kind: "subdomains", domain: "internal.example" },
        { kind: "exact", host: "10.0.0.7" },
        { kind: "exact", host: "::1" },
        { kind: "exact", host: "fe80::1" },
      ]);
      expect(loadConfig({ ALLOWED_HOSTS: "*" }).allowedHosts).toBeUndefined();
    });

    test.each(["https://hooks.example.com", "hooks.example.com:8000", "a/b", "*.*.com"])(
      "ALLOWED_HOSTS entry %p is refused, naming it",
      (entry) => {
        const error = configError(() => loadConfig({ ALLOWED_HOSTS: `ok.example, ${entry}` }));
        expect(error.setting).toBe("ALLOWED_HOSTS");
        expect(error.message).toContain(JSON.stringify(entry));
      },
    );
  });

  test("ENDPOINT_DISABLE_AFTER=0 means never; SECRET_ROTATION_OVERLAP=0 means none", () => {
    expect(loadConfig({ ENDPOINT_DISABLE_AFTER: "0" }).endpointDisableAfterMs).toBeUndefined();
    expect(loadConfig({ ENDPOINT_DISABLE_AFTER: "12h" }).endpointDisableAfterMs).toBe(43_200_000);
    expect(loadConfig({ SECRET_ROTATION_OVERLAP: "0" }).secretRotationOverlapMs).toBe(0);
    expect(configError(() => loadConfig({ SECRET_ROTATION_OVERLAP: "90d" })).setting).toBe(
      "SECRET_ROTATION_OVERLAP",
    );
  });

  test("splits comma-separated GitHub secrets for rotation", () => {
    expect(loadConfig({ GITHUB_WEBHOOK_SECRET: "old, new" }).githubWebhookSecrets).toEqual([
      "old",
      "new",
    ]);
  });

  test("an empty environment variable counts as unset", () => {
    expect(loadConfig({ ADMIN_TOKEN: "", PORT: "" })).toMatchObject({
      adminToken: undefined,
      port: 8000,
    });
  });

  test.each([
    ["PORT", "http", 'PORT: expected an integer 1-65535, got "http"'],
    ["PORT", "70000", "PORT: expected an integer 1-65535"],
    ["DATABASE_URL", "mysql://x", "DATABASE_URL: expected postgres://"],
    ["DATABASE_URL", "sqlite:", "DATABASE_URL: sqlite: needs a path"],
    ["RETENTION", "forever", "RETENTION: expected a duration"],
    ["RETENTION", "10s", "RETENTION: must be at least 1m"],
    ["RETENTION_CRON", "every tuesday", "RETENTION_CRON: not a valid cron expression"],
    ["DELIVERY_RETRY_SCHEDULE", "5s,soon", "DELIVERY_RETRY_SCHEDULE: expected up to 50"],
    ["DELIVERY_TIMEOUT", "1h", "DELIVERY_TIMEOUT: must be at most 5m"],
    ["DELIVERY_CONCURRENCY", "0", "DELIVERY_CONCURRENCY: expected an integer 1-1024"],
    [
      "ALLOW_PRIVATE_ENDPOINTS",
      "maybe",
      'ALLOW_PRIVATE_ENDPOINTS: expected true or false, got "maybe"',
    ],
    ["MAX_BODY_SIZE", "huge", "MAX_BODY_SIZE: expected a size"],
    ["LOG_LEVEL", "loud", "LOG_LEVEL: expected one of debug, info, warn, error"],
    ["EVENTS_WEBHOOK_SECRET", "whsec_!!", "EVENTS_WEBHOOK_SECRET: expected whsec_"],
    ["SVIX_SERVER_URL", "ftp://svix", "SVIX_SERVER_URL: expected an http(s) URL"],
  ])("%s=%p is refused with a message naming the setting", (name, value, message) => {
    const error = configError(() => loadConfig({ [name]: value }));
    expect(error.setting).toBe(name);
    expect(error.message).toStartWith(message);
  });
});

describe("config file", () => {
  test("keys are the settings in lower case, and the environment wins", () => {
    const file = readConfigFile(
      'port = 9000\nlog_level = "debug"\nadmin_token = "from-file"\n',
      "hy.toml",
    );
    const config = loadConfig({ ADMIN_TOKEN: "from-env" }, file);
    expect(config).toMatchObject({ port: 9000, logLevel: "debug", adminToken: "from-env" });
  });

  test("arrays become comma-separated values", () => {
    const file = readConfigFile('delivery_retry_schedule = ["1s", "2s"]\n', "hy.toml");
    expect(loadConfig({}, file).deliveryRetryScheduleMs).toEqual([1_000, 2_000]);
  });

  test("an unknown key is refused, so a typo does not fall back to a default", () => {
    expect(configError(() => readConfigFile("prot = 9000\n", "hy.toml")).message).toBe(
      '--config: hy.toml: unknown setting "prot"',
    );
  });

  test("invalid TOML is refused with the file name", () => {
    expect(configError(() => readConfigFile("port = = 1", "hy.toml")).message).toStartWith(
      "--config: hy.toml is not valid TOML",
    );
  });

  test("declares sources in [sources.<name>] tables, checked as the API checks them", () => {
    const file = readConfigFile(
      `port = 9000
[sources.stripe-live]
verifier = { type = "stripe", secret = "whsec_abc" }
event_type = "{{body.type}}"
`,
      "hy.toml",
    );
    const [source] = loadConfig({}, file).sources;
    expect(source).toMatchObject({
      name: "stripe-live",
      origin: "config",
      verifier: { type: "stripe", secrets: ["whsec_abc"], tolerance: "5m" },
      eventType: { text: "{{body.type}}" },
    });
    expect(loadConfig({}).sources).toEqual([]);
  });

  test.each([
    ['[sources.shop]\nverifier = { type = "shopify" }\n', "sources.shop.verifier.secret: required"],
    ['[sources.Bad]\nverifier = { type = "none" }\n', "sources.Bad: must be 1-63 characters"],
    ['[sources.github]\nverifier = { type = "none" }\n', 'sources.github: "github" is a built-in'],
    ['sources = "stripe"\n', "sources: expected tables such as [sources.stripe-live]"],
  ])("a bad source stops hookyard with one line naming its field: %p", (text, message) => {
    expect(configError(() => readConfigFile(text, "hy.toml")).message).toStartWith(message);
  });
});
