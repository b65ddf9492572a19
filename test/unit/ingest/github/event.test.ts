import { describe, expect, test } from "bun:test";
import { classifyGitHubEvent, type GitHubEventClass } from "../../../../src/ingest/github/event.ts";

describe("classifyGitHubEvent", () => {
  test.each<[string | null | undefined, GitHubEventClass]>([
    ["push", { ok: true, kind: "push", type: "github.push" }],
    ["ping", { ok: true, kind: "ping", type: "github.ping" }],
    ["pull_request", { ok: true, kind: "other", type: "github.pull_request" }],
    [null, { ok: false, error: "X-GitHub-Event: missing" }],
    [undefined, { ok: false, error: "X-GitHub-Event: missing" }],
    ["", { ok: false, error: "X-GitHub-Event: missing" }],
  ])("%p is classified as %j", (header, expected) => {
    expect(classifyGitHubEvent(header)).toEqual(expected);
  });

  test.each(["Push", "push ", "github.push", "a".repeat(65), "push\nx", "<script>"])(
    "%p is not an event name",
    (header) => {
      expect(classifyGitHubEvent(header)).toMatchObject({ ok: false });
    },
  );
});
