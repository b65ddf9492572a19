import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../src/config.ts";
import { startupWarnings } from "../../../src/ops/startup-warnings.ts";

const SECRETS = {
  ADMIN_TOKEN: "admin-token",
  GITHUB_WEBHOOK_SECRET: "gh",
  EVENTS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 1).toString("base64")}`,
  PUBSUB_TOKEN: "pubsub",
  SVIX_TOKEN: "svix",
};

const messages = (env: Record<string, string>) =>
  startupWarnings(loadConfig({ ...SECRETS, ...env })).map((warning) => warning.msg);

describe("start-up warnings", () => {
  test("none when every secret is set", () => {
    expect(messages({})).toEqual([]);
  });

  test.each([
    [
      "GITHUB_WEBHOOK_SECRET",
      "GITHUB_WEBHOOK_SECRET is not set: unsigned GitHub deliveries are accepted",
    ],
    [
      "EVENTS_WEBHOOK_SECRET",
      "EVENTS_WEBHOOK_SECRET is not set: /webhooks/event accepts unsigned events",
    ],
    [
      "PUBSUB_TOKEN",
      "PUBSUB_TOKEN is not set: /notifications accepts events from anyone who can reach it",
    ],
    ["SVIX_TOKEN", "SVIX_TOKEN is not set: relay messages are kept as held until it is set"],
  ])("%s unset is a warning of its own", (name, warning) => {
    expect(messages({ [name]: "" })).toEqual([warning]);
  });

  test("ADMIN_TOKEN unset and no HOST: says it listens on loopback only, why, and how to change it", () => {
    expect(messages({ ADMIN_TOKEN: "" })).toEqual([
      "ADMIN_TOKEN is not set: the management API and dashboard are open to anyone who can reach them, so hookyard listens on 127.0.0.1 only; set ADMIN_TOKEN to listen on every interface (0.0.0.0), or HOST to choose the address",
      "with ADMIN_TOKEN unset, only requests addressed to localhost, 127.0.0.1 or ::1 are answered (against DNS rebinding); ALLOWED_HOSTS sets the host names hookyard answers to",
    ]);
  });

  test("ADMIN_TOKEN unset with ALLOWED_HOSTS naming others: no word on loopback names", () => {
    const [first, ...rest] = messages({ ADMIN_TOKEN: "", ALLOWED_HOSTS: "hooks.example.com" });
    expect(first).toContain("listens on 127.0.0.1 only");
    expect(rest).toEqual([]);
  });

  test("ADMIN_TOKEN unset with HOST set: open, wherever HOST says", () => {
    const warnings = startupWarnings(loadConfig({ ...SECRETS, ADMIN_TOKEN: "", HOST: "0.0.0.0" }));
    expect(warnings).toEqual([
      {
        msg: "ADMIN_TOKEN is not set: the management API and dashboard are open to anyone who can reach them",
        fields: { host: "0.0.0.0" },
      },
    ]);
  });
});
