import { describe, expect, test } from "bun:test";
import examples, { type WebhookDefinition } from "@octokit/webhooks-examples";
import {
  type ChangeData,
  formatPerson,
  formatTimestamp,
  isMergeCommitMessage,
  type PushDecision,
  pushToChange,
} from "../../../../src/ingest/github/push.ts";
import {
  allMergesPush,
  branchCreatedPush,
  branchDeletedPush,
  commit,
  defaultBranchPush,
  forcedPush,
  mergeButtonPush,
  otherBranchPush,
  tagPush,
  ZERO_SHA,
} from "../../../fixtures/github/push.ts";

type Json = Record<string, unknown>;
const receivedAt = new Date("2026-11-22T11:00:00.987Z");
const decide = (payload: unknown) => pushToChange(payload, receivedAt);

/** The change a payload becomes; fails the test when it is not one. */
function changeOf(payload: unknown): ChangeData {
  const decision = decide(payload);
  if (decision.kind !== "change")
    throw new Error(`expected a change, got ${JSON.stringify(decision)}`);
  return decision.change;
}
const withRepository = (fields: Json, payload = defaultBranchPush()): Json => {
  Object.assign(payload.repository as Json, fields);
  return payload;
};

describe("pushToChange: pushes to the default branch become changes", () => {
  test("an ordinary push becomes exactly the contract's change", () => {
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
    ["a forced push", forcedPush(), "Rewrite the retry loop"],
    ["the push that creates the branch (before all zeros)", branchCreatedPush(), "Initial commit"],
  ])("%s is a change", (_name, payload, message) => {
    expect(changeOf(payload).data).toMatchObject({ commit: payload.after, message });
  });

  test("the branch is whatever the repository's default branch is", () => {
    const payload = withRepository(
      { default_branch: "trunk" },
      defaultBranchPush({ ref: "refs/heads/trunk" }),
    );
    expect(changeOf(payload).data.branch).toBe("trunk");
  });

  test("GitHub's own example of a push to the default branch is a change", () => {
    const push =
      examples.find((e): e is WebhookDefinition<"push"> => e.name === "push")?.examples ?? [];
    const real = push.find((e) => e.ref === "refs/heads/master" && !e.deleted);
    expect(changeOf(real)).toEqual({
      ts: "2019-05-15T15:20:57Z",
      source: "github",
      change_type: "push",
      data: {
        repository: "Codertocat/Hello-World",
        branch: "master",
        commit: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        author: "Codertocat <21031067+Codertocat@users.noreply.github.com>",
        message: "Initial commit",
      },
    });
  });
});

describe("pushToChange: the message", () => {
  test.each<[string, Json, string]>([
    [
      "a PR merged with the merge button: the last commit that is not the merge",
      mergeButtonPush(),
      "Cover the retry with a test",
    ],
    [
      "every commit a merge: the head commit's",
      allMergesPush(),
      "Merge remote-tracking branch 'origin/hotfix'",
    ],
    [
      "no commits listed: the head commit's",
      defaultBranchPush({ commits: [] }),
      "Fix the flaky test",
    ],
    [
      "commits missing: the head commit's",
      defaultBranchPush({ commits: undefined }),
      "Fix the flaky test",
    ],
    [
      "no commits and no head commit: empty",
      defaultBranchPush({ commits: [], head_commit: null }),
      "",
    ],
    [
      "a merge in the middle: the newest non-merge, after it",
      defaultBranchPush({}, [
        commit("First"),
        commit("Merge branch 'x'"),
        commit("Last\n\nwith a body"),
      ]),
      "Last\n\nwith a body",
    ],
    [
      "a message that only mentions merging is no merge",
      defaultBranchPush({}, [commit("Merged the two parsers"), commit("Merge tag 'v1'")]),
      "Merged the two parsers",
    ],
  ])("%s", (_name, payload, message) => {
    expect(changeOf(payload).data.message).toBe(message);
  });
});

describe("pushToChange: the author", () => {
  test.each<[string, Json, string]>([
    [
      "the head commit's author, not the pusher",
      defaultBranchPush(),
      "Mona Lisa <mona@example.com>",
    ],
    [
      "the merge commit's author on a merge-button push (it is the head)",
      mergeButtonPush(),
      "Merger <merger@example.com>",
    ],
    [
      "the pusher when there is no head commit",
      defaultBranchPush({ head_commit: null, commits: [] }),
      "octocat <octocat@example.com>",
    ],
    [
      "the pusher when the head commit has no author",
      defaultBranchPush({}, [commit("x", { author: undefined })]),
      "octocat <octocat@example.com>",
    ],
    [
      "just the name without an email",
      defaultBranchPush({}, [commit("x", { author: { name: "Bot" } })]),
      "Bot",
    ],
  ])("%s", (_name, payload, author) => {
    expect(changeOf(payload).data.author).toBe(author);
  });

  test.each<[unknown, string]>([
    [{ name: "Mona", email: "m@x.io" }, "Mona <m@x.io>"],
    [{ name: "Mona", email: null }, "Mona"],
    [{ name: "Mona", email: "" }, "Mona"],
    [{ name: "", email: "m@x.io", username: "mona" }, "mona <m@x.io>"],
    [{ email: "m@x.io" }, "<m@x.io>"],
    [{}, ""],
    [null, ""],
    ["Mona", ""],
  ])("formatPerson(%j) is %p", (person, expected) => {
    expect(formatPerson(person)).toBe(expected);
  });
});

describe("pushToChange: the time", () => {
  test.each<[string, unknown, string]>([
    ["pushed_at in epoch seconds", 1_795_000_000, "2026-11-18T11:06:40Z"],
    ["fractional epoch seconds, cut to the second", 1_795_000_000.9, "2026-11-18T11:06:40Z"],
    ["epoch seconds as a string", "1795000000", "2026-11-18T11:06:40Z"],
    ["an ISO string", "2026-11-22T09:30:05Z", "2026-11-22T09:30:05Z"],
    [
      "an ISO string with an offset and milliseconds",
      "2026-11-22T11:30:05.750+02:00",
      "2026-11-22T09:30:05Z",
    ],
    ["missing: the time of receipt, to the second", undefined, "2026-11-22T11:00:00Z"],
    ["null: the time of receipt", null, "2026-11-22T11:00:00Z"],
    ["unreadable: the time of receipt", "yesterday", "2026-11-22T11:00:00Z"],
    ["past year 9999: the time of receipt", 1e12, "2026-11-22T11:00:00Z"],
  ])("%s", (_name, pushedAt, ts) => {
    const payload = withRepository({ pushed_at: pushedAt });
    if (pushedAt === undefined) delete (payload.repository as Json).pushed_at;
    expect(changeOf(payload).ts).toBe(ts);
  });

  test.each([
    ["2026-11-22T10:15:00.000Z", "2026-11-22T10:15:00Z"],
    ["2026-11-22T10:15:00.999Z", "2026-11-22T10:15:00Z"],
    ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"],
  ])("formatTimestamp(%s) is %s", (iso, expected) => {
    expect(formatTimestamp(new Date(iso))).toBe(expected);
  });
});

describe("pushToChange: pushes that are ignored, with the reason", () => {
  test.each<[string, Json, string]>([
    ["a push to another branch", otherBranchPush(), "not the default branch"],
    [
      "a push to a branch named like a tag path",
      otherBranchPush("refs/tags/main"),
      "not the default branch",
    ],
    ["a tag push (GitHub's example)", tagPush(), "tag push"],
    ["a tag named like the default branch", tagPush("main"), "tag push"],
    ["a deleted tag", Object.assign(branchDeletedPush(), { ref: "refs/tags/v1" }), "tag push"],
    ["the default branch deleted (GitHub's example)", branchDeletedPush(), "branch deleted"],
    ["another branch deleted", branchDeletedPush("feature/retry"), "branch deleted"],
    [
      "after all zeros without deleted: true",
      defaultBranchPush({ deleted: undefined, after: ZERO_SHA }),
      "branch deleted",
    ],
    ["a note ref", defaultBranchPush({ ref: "refs/notes/commits" }), "not the default branch"],
    [
      "a ref that is only the branch name",
      defaultBranchPush({ ref: "main" }),
      "not the default branch",
    ],
  ])("%s", (_name, payload, reason) => {
    expect(decide(payload)).toEqual({ kind: "ignored", reason } as PushDecision);
  });
});

describe("pushToChange: malformed pushes are invalid, naming the field", () => {
  test.each<[string, unknown, string]>([
    ["a body that is not an object", [1, 2], "body"],
    ["null", null, "body"],
    ["a ref that is not a string", defaultBranchPush({ ref: 42 }), "ref"],
    ["no ref", defaultBranchPush({ ref: undefined }), "ref"],
    ["repository missing", defaultBranchPush({ repository: undefined }), "repository"],
    ["repository not an object", defaultBranchPush({ repository: "octo/app" }), "repository"],
    [
      "repository without full_name",
      withRepository({ full_name: undefined }),
      "repository.full_name",
    ],
    [
      "a default_branch of null",
      withRepository({ default_branch: null }),
      "repository.default_branch",
    ],
    [
      "default_branch missing",
      withRepository({ default_branch: undefined }),
      "repository.default_branch",
    ],
    [
      "a tag push with a default_branch of null",
      withRepository({ default_branch: null }, tagPush()),
      "repository.default_branch",
    ],
    ["no after sha", defaultBranchPush({ after: undefined }), "after"],
    ["an empty after sha", defaultBranchPush({ after: "" }), "after"],
  ])("%s", (_name, payload, field) => {
    const decision = decide(payload);
    expect(decision).toMatchObject({ kind: "invalid", field });
    expect(decision.kind === "invalid" && decision.error).toStartWith(
      field === "body" ? "a push" : field,
    );
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
    ["Merge", false],
    ["Fix: Merge pull request handling", false],
  ])("%p → %p", (message, expected) => {
    expect(isMergeCommitMessage(message)).toBe(expected);
  });
});
