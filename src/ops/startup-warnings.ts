/**
 * What `hookyard serve` warns about at start: every door a setting left open, and where
 * it listens when that is not where the operator may expect (loopback only, because
 * ADMIN_TOKEN is unset). Pure, so each case is a line in a table test.
 */
import type { Config, HostPattern } from "../config.ts";

export interface StartupWarning {
  readonly msg: string;
  readonly fields?: Record<string, unknown>;
}

const OPEN_DOORS = "the management API and dashboard are open to anyone who can reach them";

export function startupWarnings(config: Config): StartupWarning[] {
  const warnings: StartupWarning[] = [];
  if (config.adminToken === undefined) warnings.push(...adminTokenWarnings(config));
  if (config.githubWebhookSecrets.length === 0) {
    warnings.push({
      msg: "GITHUB_WEBHOOK_SECRET is not set: unsigned GitHub deliveries are accepted",
    });
  }
  if (config.eventsWebhookSecret === undefined) {
    warnings.push({
      msg: "EVENTS_WEBHOOK_SECRET is not set: /webhooks/event accepts unsigned events",
    });
  }
  if (config.pubsubToken === undefined) {
    warnings.push({
      msg: "PUBSUB_TOKEN is not set: /notifications accepts events from anyone who can reach it",
    });
  }
  if (config.svixToken === undefined) {
    warnings.push({
      msg: "SVIX_TOKEN is not set: relay messages are kept as held until it is set",
    });
  }
  return warnings;
}

function adminTokenWarnings(config: Config): StartupWarning[] {
  const fields = { host: config.host };
  if (config.hostOrigin !== "loopback-without-admin-token") {
    return [{ msg: `ADMIN_TOKEN is not set: ${OPEN_DOORS}`, fields }];
  }
  const warnings: StartupWarning[] = [
    {
      msg: `ADMIN_TOKEN is not set: ${OPEN_DOORS}, so hookyard listens on ${config.host} only; set ADMIN_TOKEN to listen on every interface (0.0.0.0), or HOST to choose the address`,
      fields,
    },
  ];
  if (onlyLoopbackNames(config.allowedHosts)) {
    warnings.push({
      msg: "with ADMIN_TOKEN unset, only requests addressed to localhost, 127.0.0.1 or ::1 are answered (against DNS rebinding); ALLOWED_HOSTS sets the host names hookyard answers to",
    });
  }
  return warnings;
}

/** The loopback names config.ts allows by default when it listens on loopback for want of a token. */
function onlyLoopbackNames(patterns: readonly HostPattern[] | undefined): boolean {
  if (patterns === undefined) return false;
  return patterns.every((pattern) =>
    pattern.kind === "subdomains"
      ? pattern.domain === "localhost"
      : ["localhost", "127.0.0.1", "::1"].includes(pattern.host),
  );
}
