import { describe, expect, test } from "bun:test";
import { isMergeCommitMessage, pushToChange } from "../../../../src/ingest/github/push.ts";
import {
  commit,
  defaultBranchPush,
  mergeButtonPush,
  ZERO_SHA,
} from "../../../fixtures/github/push.ts";

const receivedAt = new Date("2026-11-22T11:00:00.123Z");
const decide = (payload: unknown) => pushToChange(payload, receivedAt);

describe("pushToChange: pushes that become changes", () => {
  test("an ordinary push to the default branch becomes exactly the change the brief describes", () => {
    const payload = defaultBranchPush();
    expect(decide(payload)).toEqual({
      kind: "change",
      change: {
        ts: "2026-11-22T10:15:00Z",
        source: "github",
        change_type: "push",
        data: {
          repository: "octo/app",
          branch: "main",
          commit: payload.after as string,
          author: "Mona Lisa <mona@example.com>",
          message: "Fix the flaky test",
        },
      },
    });
  });

  test.each([
    ["a forced push", { forced: true }],
    ["the push that creates the branch", { created: true, before: ZERO_SHA }],
  ])("%s is a change", (_name, overrides) => {
    expect(decide(defaultBranchPush(overrides)).kind).toBe("change");
  });

  test("a PR merged with the merge button: the message is the last commit that is not the merge", () => {
    const decision = decide(mergeButtonPush());
    if (decision.kind !== "change") throw new Error(decision.kind);
    expect(decision.change.data.message).toBe("Cover the retry with a test");
    expect(decision.change.data.author).toBe("Merger <merger@example.com>");
  });

  test("when every commit is a merge, the head commit's message is used", () => {
    const decision = decide(
      defaultBranchPush({}, [commit("Merge branch 'main' into x"), commit("Merge tag 'v1.2'")]),
    );
    if (decision.kind !== "change") throw new Error(decision.kind);
    expect(decision.change.data.message).toBe("Merge tag 'v1.2'");
  });

  test("with no commits listed, the head commit's message is used", () => {
    const payload = defaultBranchPush({ commits: [] });
    const decision = decide(payload);
    if (decision.kind !== "change") throw new Error(decision.kind);
    expect(decision.change.data.message).toBe("Fix the flaky test");
  });

  test("with head_commit null and no commits, the pusher is the author and the message is empty", () => {
    const decision = decide(defaultBranchPush({ head_commit: null, commits: [] }));
    if (decision.kind !== "change") throw new Error(decision.kind);
    expect(decision.change.data.author).toBe("octocat <octocat@example.com>");
    expect(decision.change.data.message).toBe("");
  });

  test("without repository.pushed_at the time of receipt is used, to the second", () => {
    const payload = defaultBranchPush();
    delete (payload.repository as Record<string, unknown>).pushed_at;
    const decision = decide(payload);
    if (decision.kind !== "change") throw new Error(decision.kind);
    expect(decision.change.ts).toBe("2026-11-22T11:00:00Z");
  });

  test("an ISO pushed_at is read too", () => {
    const payload = defaultBranchPush();
    (payload.repository as Record<string, unknown>).pushed_at = "2026-11-22T09:30:05Z";
    const decision = decide(payload);
    expect(decision.kind === "change" && decision.change.ts).toBe("2026-11-22T09:30:05Z");
  });

  test("an author without an email is just the name", () => {
    const decision = decide(defaultBranchPush({}, [commit("x", { author: { name: "Bot" } })]));
    expect(decision.kind === "change" && decision.change.data.author).toBe("Bot");
  });
});

describe("pushToChange: deliveries that are ignored", () => {
  test.each([
    ["a push to another branch", { ref: "refs/heads/feature/x" }, "not the default branch"],
    ["a tag push", { ref: "refs/tags/v1.0.0" }, "tag push"],
    ["a tag named like the default branch", { ref: "refs/tags/main" }, "tag push"],
    [
      "the default branch deleted",
      { deleted: true, after: ZERO_SHA, head_commit: null, commits: [] },
      "branch deleted",
    ],
    ["a tag deleted", { ref: "refs/tags/v1", deleted: true }, "tag push"],
  ])("%s is ignored", (_name, overrides, reason) => {
    expect(decide(defaultBranchPush(overrides))).toEqual({ kind: "ignored", reason } as never);
  });
});

describe("pushToChange: malformed pushes", () => {
  const withRepository = (repository: unknown) => ({ ...defaultBranchPush(), repository });

  test.each([
    ["a body that is not an object", [1, 2], "body"],
    ["a ref that is not a string", { ...defaultBranchPush(), ref: 42 }, "ref"],
    ["repository missing", withRepository(undefined), "repository"],
    [
      "repository without full_name",
      withRepository({ default_branch: "main" }),
      "repository.full_name",
    ],
    [
      "a default_branch of null",
      withRepository({ full_name: "octo/app", default_branch: null }),
      "repository.default_branch",
    ],
    ["no after sha", { ...defaultBranchPush(), after: undefined }, "after"],
  ])("%s is invalid, naming the field", (_name, payload, field) => {
    const decision = decide(payload);
    expect(decision.kind).toBe("invalid");
    expect(decision.kind === "invalid" && decision.field).toBe(field);
  });
});

describe("isMergeCommitMessage", () => {
  test.each([
    ["Merge pull request #1 from a/b", true],
    ["Merge branch 'main' into feature", true],
    ["Merge remote-tracking branch 'origin/main'", true],
    ["Merge tag 'v1'", true],
    ["Merge commit 'abc'", true],
    ["Merged the two parsers", false],
    ["merge pull request #1", false],
    ["Fix: Merge pull request handling", false],
  ])("%p → %p", (message, expected) => {
    expect(isMergeCommitMessage(message)).toBe(expected);
  });
});
