#!/usr/bin/env bun
/**
 * Sends a realistic push delivery to a running hookyard, signed as GitHub signs it, so
 * the GitHub integration can be tried without a repository. Run with --help for usage.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  commit,
  defaultBranchPush,
  githubDelivery,
  inRepository,
} from "../test/fixtures/github/push.ts";

const USAGE = `Usage: bun scripts/send-github-push.ts [options]

Posts a signed GitHub push delivery (X-GitHub-Event: push) to hookyard, prints the
status and the response body, and exits 1 unless the answer is 2xx.

  --url URL              endpoint (default http://localhost:8000/webhooks/github)
  --secret S             webhook secret (default: $GITHUB_WEBHOOK_SECRET; unsigned if unset)
  --repo OWNER/NAME      repository (default octo/app)
  --branch B             branch pushed to (default: the default branch)
  --default-branch B     the repository's default branch (default main)
  --message M            commit message (default: a generated one)
  --form                 send application/x-www-form-urlencoded (payload=) instead of JSON
  --help                 this text

Examples:
  bun scripts/send-github-push.ts                      # 201 {"change_id": N}
  bun scripts/send-github-push.ts --branch feature/x   # 202 {"ignored": "not the default branch"}
`;

function usageError(message: string): never {
  process.stderr.write(`${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function readOptions() {
  try {
    return parseArgs({
      options: {
        url: { type: "string", default: "http://localhost:8000/webhooks/github" },
        secret: { type: "string", default: process.env.GITHUB_WEBHOOK_SECRET ?? "" },
        repo: { type: "string", default: "octo/app" },
        branch: { type: "string" },
        "default-branch": { type: "string", default: "main" },
        message: { type: "string" },
        form: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    return usageError((error as Error).message);
  }
}

const options = readOptions();
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!URL.canParse(options.url)) usageError(`--url: not a URL: ${options.url}`);
if (!/^[\w.-]+\/[\w.-]+$/.test(options.repo)) {
  usageError(`--repo: expected OWNER/NAME, got "${options.repo}"`);
}
const defaultBranch = options["default-branch"];
const branch = options.branch ?? defaultBranch;
if (!branch || !defaultBranch) usageError("--branch and --default-branch must not be empty");

const now = new Date();
const sha = randomBytes(20).toString("hex");
const message = options.message ?? `Update the changelog (${now.toISOString()})`;
const payload = inRepository(
  defaultBranchPush({}, [
    commit(message, {
      id: sha,
      url: `https://github.com/octo/app/commit/${sha}`,
      timestamp: now.toISOString(),
    }),
  ]),
  options.repo,
  defaultBranch,
);
payload.ref = `refs/heads/${branch}`;
(payload.repository as Record<string, unknown>).pushed_at = Math.floor(now.getTime() / 1000);

const delivery = githubDelivery({
  event: "push",
  payload,
  contentType: options.form ? "form" : "json",
  ...(options.secret ? { secret: options.secret } : {}),
});
process.stderr.write(
  `POST ${options.url}: push to ${options.repo}@${branch}, delivery ${delivery.headers["x-github-delivery"]}, ${
    options.secret ? "signed" : "unsigned (no --secret or GITHUB_WEBHOOK_SECRET)"
  }\n`,
);

try {
  const response = await fetch(options.url, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
    signal: AbortSignal.timeout(30_000),
  });
  process.stdout.write(`${response.status} ${response.statusText}\n${await response.text()}\n`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`could not reach ${options.url}: ${(error as Error).message}\n`);
  process.exit(1);
}
