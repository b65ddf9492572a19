/**
 * The GitHub push both ingest benchmarks send: a default-branch push of one commit,
 * trimmed to the ~4-5 KB the benchmark is specified for.
 */
import { commit, defaultBranchPush } from "../../test/fixtures/github/push.ts";

export function benchPush(): Record<string, unknown> {
  const payload = defaultBranchPush({}, [
    commit("Tidy up the retry loop and its tests", {
      modified: ["src/retry.ts", "test/retry.test.ts"],
    }),
  ]);
  // GitHub's example repository carries ~40 API URL templates; dropping those not needed
  // brings the body to the ~5 KB the benchmark is specified for.
  const repository = payload.repository as Record<string, unknown>;
  for (const key of Object.keys(repository)) {
    if (key.endsWith("_url") && !["html_url", "clone_url", "git_url"].includes(key))
      delete repository[key];
  }
  return payload;
}
