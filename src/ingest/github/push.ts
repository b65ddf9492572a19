/**
 * The rule the first brief asked for: a push to a repository's default branch becomes one
 * `changes` row; every other delivery is ignored with a reason. Pure: a payload in, a
 * decision out.
 */

export interface ChangeData {
  /** The push time, ISO-8601 UTC without fractions: `2026-11-22T10:15:00Z`. */
  readonly ts: string;
  readonly source: "github";
  readonly change_type: "push";
  readonly data: {
    readonly repository: string;
    readonly branch: string;
    /** The HEAD sha after the push (`after`). */
    readonly commit: string;
    /** `Name <email>` of the head commit's author, else of the pusher. */
    readonly author: string;
    /** The message of the last commit in the push that is not a merge commit. */
    readonly message: string;
  };
}

export type PushDecision =
  | { readonly kind: "change"; readonly change: ChangeData }
  | {
      readonly kind: "ignored";
      readonly reason: "tag push" | "branch deleted" | "not the default branch";
    }
  | { readonly kind: "invalid"; readonly error: string; readonly field: string };

const MERGE_PREFIXES = [
  "Merge pull request ",
  "Merge branch ",
  "Merge remote-tracking branch ",
  "Merge tag ",
  "Merge commit ",
] as const;

export const isMergeCommitMessage = (message: string): boolean =>
  MERGE_PREFIXES.some((prefix) => message.startsWith(prefix));

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

const invalid = (field: string, error: string): PushDecision => ({ kind: "invalid", field, error });

export function pushToChange(payload: unknown, receivedAt: Date): PushDecision {
  if (!isObject(payload)) return invalid("body", "a push payload must be a JSON object");
  const ref = payload.ref;
  if (typeof ref !== "string")
    return invalid("ref", "ref: expected a string such as refs/heads/main");
  const repository = payload.repository;
  if (!isObject(repository)) return invalid("repository", "repository: expected an object");
  const fullName = text(repository.full_name);
  if (!fullName) return invalid("repository.full_name", "repository.full_name: expected a string");

  // A tag is never a change, even one named like the default branch.
  if (ref.startsWith("refs/tags/")) return { kind: "ignored", reason: "tag push" };
  if (payload.deleted === true) return { kind: "ignored", reason: "branch deleted" };

  const defaultBranch = text(repository.default_branch);
  if (!defaultBranch) {
    return invalid(
      "repository.default_branch",
      "repository.default_branch: expected a string; cannot tell whether this push is to the default branch",
    );
  }
  if (ref !== `refs/heads/${defaultBranch}`) {
    return { kind: "ignored", reason: "not the default branch" };
  }
  const after = text(payload.after);
  if (!after) return invalid("after", "after: expected the commit sha after the push");

  const headCommit = isObject(payload.head_commit) ? payload.head_commit : undefined;
  const commits = Array.isArray(payload.commits) ? payload.commits.filter(isObject) : [];
  return {
    kind: "change",
    change: {
      ts: formatTimestamp(pushTime(repository.pushed_at) ?? receivedAt),
      source: "github",
      change_type: "push",
      data: {
        repository: fullName,
        branch: defaultBranch,
        commit: after,
        author: formatPerson(headCommit ? headCommit.author : payload.pusher),
        message: lastNonMergeMessage(commits) ?? text(headCommit?.message) ?? "",
      },
    },
  };
}

/** Commits are listed oldest first; take the newest whose message is not a merge's. */
function lastNonMergeMessage(commits: readonly Json[]): string | undefined {
  for (let i = commits.length - 1; i >= 0; i--) {
    const message = text(commits[i]?.message);
    if (message !== undefined && !isMergeCommitMessage(message)) return message;
  }
  return undefined;
}

function formatPerson(person: unknown): string {
  if (!isObject(person)) return "";
  const name = text(person.name) ?? text(person.username) ?? "";
  const email = text(person.email);
  return email ? `${name} <${email}>`.trim() : name;
}

/** `repository.pushed_at` is epoch seconds in push payloads; other events use ISO strings. */
function pushTime(value: unknown): Date | undefined {
  const date =
    typeof value === "number"
      ? new Date(value * 1000)
      : typeof value === "string"
        ? new Date(value)
        : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

export const formatTimestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");
