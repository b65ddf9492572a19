/**
 * The relay pages' pure side: the list's filters from the query, the summary folded into
 * counts by status and by project, and what a page says after an action.
 */
import { RELAY_STATUSES } from "../../relay/model.ts";
import { decodeTimeCursor, type TimeCursor } from "../../store/cursor.ts";
import type { RelayMessage, RelayStatus, RelaySummaryRow } from "../../store/relay.ts";
import { type QueryValues, queryValue } from "../components/index.ts";
import { isPlausibleText } from "./event-display.ts";

export interface RelayListRequest {
  readonly status: RelayStatus | undefined;
  readonly project: string | undefined;
  readonly after: TimeCursor | undefined;
  /** What was ignored, and why: shown above the list rather than failing the page. */
  readonly problems: readonly string[];
}

/** Svix application uids are at most 256 characters, so no project is longer. */
const MAX_PROJECT_LENGTH = 256;

export function readRelayListQuery(query: QueryValues): RelayListRequest {
  const problems: string[] = [];
  const statusText = queryValue(query, "status");
  const status = isRelayStatus(statusText) ? statusText : undefined;
  if (statusText !== undefined && status === undefined) {
    problems.push(`The status filter was ignored: expected ${RELAY_STATUSES.join(", ")}.`);
  }
  const projectText = queryValue(query, "project");
  const project =
    projectText !== undefined && isPlausibleText(projectText, MAX_PROJECT_LENGTH)
      ? projectText
      : undefined;
  if (projectText !== undefined && project === undefined) {
    problems.push(
      `The project filter was ignored: at most ${MAX_PROJECT_LENGTH} characters, without control characters.`,
    );
  }
  const cursorText = queryValue(query, "cursor");
  const after = cursorText === undefined ? undefined : decodeTimeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    problems.push("That page link is not valid (any more): showing the newest messages.");
  }
  return { status, project, after, problems };
}

export function isRelayStatus(value: unknown): value is RelayStatus {
  return typeof value === "string" && (RELAY_STATUSES as readonly string[]).includes(value);
}

export type StatusCounts = Readonly<Record<RelayStatus, number>>;

export interface ProjectCounts {
  /** Null for rejected envelopes, which had no valid event and so no project. */
  readonly project: string | null;
  readonly counts: StatusCounts;
  readonly total: number;
}

export interface RelayCounts {
  readonly byStatus: StatusCounts;
  readonly total: number;
  /** Busiest first, then by name. */
  readonly byProject: readonly ProjectCounts[];
}

const zeroCounts = (): Record<RelayStatus, number> =>
  Object.fromEntries(RELAY_STATUSES.map((status) => [status, 0])) as Record<RelayStatus, number>;

/** The store's (project, status, count) rows as the page's two tables. */
export function foldRelaySummary(rows: readonly RelaySummaryRow[]): RelayCounts {
  const byStatus = zeroCounts();
  const projects = new Map<string | null, Record<RelayStatus, number>>();
  for (const row of rows) {
    byStatus[row.status] += row.count;
    const counts = projects.get(row.project) ?? zeroCounts();
    counts[row.status] += row.count;
    projects.set(row.project, counts);
  }
  const sum = (counts: StatusCounts) => RELAY_STATUSES.reduce((n, s) => n + counts[s], 0);
  const byProject = [...projects.entries()]
    .map(([project, counts]) => ({ project, counts, total: sum(counts) }))
    .sort((a, b) => b.total - a.total || (a.project ?? "").localeCompare(b.project ?? ""));
  return { byStatus, total: sum(byStatus), byProject };
}

/** Only these can be queued again by hand; `sent` is done and `rejected` holds no event. */
export function canRetry(message: Pick<RelayMessage, "status">): boolean {
  return message.status === "failed" || message.status === "held" || message.status === "queued";
}

/** The list shows the start of an error; the message's page shows all of it. */
export function truncateText(text: string | null, maxChars: number): string | null {
  if (text === null || text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}…`;
}
