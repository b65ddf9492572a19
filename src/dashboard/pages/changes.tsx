/**
 * `/dashboard/changes`: the `changes` table (pushes to default branches), newest first,
 * paged by id.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { decodeIdCursor, encodeCursor } from "../../store/cursor.ts";
import type { Change } from "../../store/events.ts";
import {
  type Column,
  EmptyState,
  LiveRegion,
  markup,
  Notice,
  Pager,
  type QueryValues,
  queryValue,
  Table,
  Time,
} from "../components/index.ts";
import { htmlResponse } from "../html.ts";
import { Layout } from "../layout.tsx";
import { displayOrigin } from "./event-display.ts";

export const CHANGES_PER_PAGE = 50;

/** A `changes` row as the page shows it; fields the row lacks are undefined. */
export interface ChangeRow {
  readonly id: number;
  readonly ts?: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly author?: string;
  readonly message?: string;
}

/**
 * Reads the contract's shape `{ts, source, change_type, data: {repository, branch, commit,
 * author, message}}` without trusting it: rows are kept forever, so older or hand-made
 * ones may differ, and the page must still show what they hold.
 */
export function changeRow(change: Change): ChangeRow {
  const outer = asObject(typeof change.data === "string" ? parseJson(change.data) : change.data);
  const inner = asObject(outer.data);
  return {
    id: change.id,
    ts: text(outer.ts),
    repository: text(inner.repository),
    branch: text(inner.branch),
    commit: text(inner.commit),
    author: text(inner.author),
    message: text(inner.message),
  };
}

/** A link to the commit on GitHub, when the row names one plainly enough to build it. */
export function commitUrl(row: ChangeRow): string | undefined {
  if (row.repository === undefined || row.commit === undefined) return undefined;
  if (!/^[\w.-]+\/[\w.-]+$/.test(row.repository) || !/^[0-9a-f]{7,64}$/i.test(row.commit)) {
    return undefined;
  }
  return `https://github.com/${row.repository}/commit/${row.commit}`;
}

const columns: readonly Column<ChangeRow>[] = [
  { header: "Id", cell: (c) => c.id, class: "num" },
  { header: "Time", cell: (c) => markup(<Time value={c.ts} />), class: "nowrap" },
  { header: "Repository", cell: (c) => c.repository, class: "nowrap" },
  { header: "Branch", cell: (c) => c.branch, class: "mono" },
  { header: "Commit", cell: commitCell, class: "mono" },
  { header: "Author", cell: (c) => c.author },
  // The first line is the summary; the rest would make rows tall.
  { header: "Message", cell: (c) => c.message?.split("\n", 1)[0], class: "wrap" },
];

function commitCell(row: ChangeRow) {
  if (row.commit === undefined) return null;
  const url = commitUrl(row);
  const short = row.commit.slice(0, 7);
  return url === undefined
    ? short
    : markup(
        <a href={url} title={row.commit} rel="noreferrer" safe>
          {short}
        </a>,
      );
}

export function changesPages(ctx: AppContext) {
  return new Elysia({ name: "dashboard.changes" }).get(
    "/dashboard/changes",
    async ({ request, query }) => {
      const cursorText = queryValue(query, "cursor");
      const before = cursorText === undefined ? undefined : decodeIdCursor(cursorText);
      const page = await ctx.store.changes.list({ limit: CHANGES_PER_PAGE, before: before?.id });
      return htmlResponse(
        <ChangesPage
          rows={page.items.map(changeRow)}
          nextCursor={page.next === null ? null : encodeCursor({ id: page.next })}
          query={query}
          badCursor={cursorText !== undefined && before === undefined}
          githubUrl={`${displayOrigin(request)}/webhooks/github`}
        />,
      );
    },
  );
}

interface ChangesPageProps {
  readonly rows: readonly ChangeRow[];
  readonly nextCursor: string | null;
  readonly query: QueryValues;
  readonly badCursor: boolean;
  readonly githubUrl: string;
}

function ChangesPage({ rows, nextCursor, query, badCursor, githubUrl }: ChangesPageProps) {
  const firstPage = queryValue(query, "cursor") === undefined || badCursor;
  return (
    // A push stored is an event: the first page shows it as it comes.
    <Layout title="Changes" active="changes" live={firstPage ? { topics: ["events"] } : undefined}>
      {badCursor ? (
        <Notice tone="warn" message="That page link is not valid: showing the newest changes." />
      ) : (
        ""
      )}
      <LiveRegion id="changes">
        <Table
          caption="Changes, newest first"
          columns={columns}
          rows={rows}
          empty={
            <EmptyState
              title="No changes yet"
              text="A push to a repository's default branch becomes a change. Add a webhook in the repository's GitHub settings (content type application/json, the push event) with this payload URL:"
              code={githubUrl}
            />
          }
        />
        <Pager path="/dashboard/changes" query={query} nextCursor={nextCursor} />
      </LiveRegion>
    </Layout>
  );
}

type JsonObject = Record<string, unknown>;

function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
