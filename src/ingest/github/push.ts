/**
 * The contract's rule: a push to a repository's default branch becomes one `changes` row;
 * any other push is ignored with a reason, and a payload the rule cannot be applied to is
 * invalid (the route answers 422). Pure: a payload in, a decision out.
 */
import { isStorableDate } from "../../lib/dates.ts";
import { isJsonObject, type JsonObject } from "../../lib/json.ts";

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

export type IgnoredPushReason = "tag push" | "branch deleted" | "not the default branch";

export type PushDecision =
  | { readonly kind: "change"; readonly change: ChangeData }
  | { readonly kind: "ignored"; readonly reason: IgnoredPushReason }
  /** `field` is the payload path at fault, e.g. `repository.default_branch`. */
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

/** GitHub's `after` when a ref is deleted: all zeros (40 for SHA-1, 64 for SHA-256 repositories). */
const NULL_SHA = /^0{40}(?:0{24})?$/;

const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;
const nonEmpty = (value: unknown): string | undefined => text(value) || undefined;

const invalid = (field: string, error: string): PushDecision => ({ kind: "invalid", field, error });

export function pushToChange(payload: unknown, receivedAt: Date): PushDecision {
  // Everything the rule reads is checked first, so a malformed push is refused whatever
  // it would have been classified as, rather than stored as "ignored".
  if (!isJsonObject(payload)) return invalid("body", "a push payload must be a JSON object");
  const ref = payload.ref;
  if (typeof ref !== "string") {
    return invalid("ref", "ref: expected a string such as refs/heads/main");
  }
  const repository = payload.repository;
  if (!isJsonObject(repository)) return invalid("repository", "repository: expected an object");
  const fullName = nonEmpty(repository.full_name);
  if (!fullName) {
    return invalid("repository.full_name", "repository.full_name: expected a string (owner/name)");
  }
  const defaultBranch = nonEmpty(repository.default_branch);
  if (!defaultBranch) {
    return invalid(
      "repository.default_branch",
      "repository.default_branch: expected a string; cannot tell whether this push is to the default branch",
    );
  }
  const after = nonEmpty(payload.after);
  if (!after) return invalid("after", "after: expected the commit sha after the push");

  // A tag is never a change, even one named like the default branch (refs/tags/main).
  if (ref.startsWith("refs/tags/")) return { kind: "ignored", reason: "tag push" };
  // An all-zero `after` is a deletion even if `deleted` was left out.
  if (payload.deleted === true || NULL_SHA.test(after)) {
    return { kind: "ignored", reason: "branch deleted" };
  }
  if (ref !== `refs/heads/${defaultBranch}`) {
    return { kind: "ignored", reason: "not the default branch" };
  }

  const headCommit = isJsonObject(payload.head_commit) ? payload.head_commit : undefined;
  const commits = Array.isArray(payload.commits) ? payload.commits.filter(isJsonObject) : [];
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
        author: formatPerson(headCommit?.author) || formatPerson(payload.pusher),
        message: lastNonMergeMessage(commits) ?? text(headCommit?.message) ?? "",
      },
    },
  };
}

/** Commits are listed oldest first; take the newest whose message is not a merge's. */
function lastNonMergeMessage(commits: readonly JsonObject[]): string | undefined {
  for (let i = commits.length - 1; i >= 0; i--) {
    const message = text(commits[i]?.message);
    if (message !== undefined && !isMergeCommitMessage(message)) return message;
  }
  return undefined;
}

/** `Name <email>`, just the name without an email, `<email>` without a name, else "". */
export function formatPerson(person: unknown): string {
  if (!isJsonObject(person)) return "";
  const name = nonEmpty(person.name) ?? nonEmpty(person.username) ?? "";
  const email = nonEmpty(person.email);
  return email ? `${name} <${email}>`.trim() : name;
}

/**
 * `repository.pushed_at` is epoch seconds in push payloads (ISO strings in other events,
 * and from hand-made senders). Anything unreadable, or outside years 0001-9999 (which
 * ISO-8601 cannot write in the contract's format), is no push time.
 */
function pushTime(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (typeof value === "number") date = new Date(value * 1000);
  else if (typeof value === "string" && /^\d+(?:\.\d+)?$/.test(value.trim())) {
    date = new Date(Number(value) * 1000);
  } else if (typeof value === "string") date = new Date(value);
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return isStorableDate(date) ? date : undefined;
}

/** ISO-8601 UTC to the second, the fraction cut off (not rounded): `2026-11-22T10:15:00Z`. */
export const formatTimestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");
