/**
 * A text search the database cannot finish in time is stopped at the store's search
 * limit, instead of running on after the request gave up, and the API and the dashboard
 * say so and how to narrow it.
 * - PostgreSQL stops it on the server. Another session's lock on the events table holds
 *   it up, so it is slow however fast the machine is.
 * - SQLite runs searches on a thread of their own, so the server goes on serving while
 *   one runs, and ends that thread at the limit. A payload that makes LIKE slow holds it
 *   up: at every position of megabytes of "a", the pattern's 199 "a" match before its
 *   final "b" fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import type { NewEvent } from "../../src/store/events.ts";
import { PgStore } from "../../src/store/pg/index.ts";
import { SqliteStore } from "../../src/store/sqlite/index.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { postgresUrl } from "../support/databases.ts";
import { until } from "../support/until.ts";

/**
 * The search limits here, instead of the 7 s in production. SQLite's is longer: its first
 * search also starts the search thread, which on a loaded machine can take a few hundred
 * milliseconds; the slow search below still takes seconds.
 */
const LIMIT_MS = 300;
const SQLITE_LIMIT_MS = 1_000;
const NEEDLE = "needle-3f9c";
const SLOW_ON_SQLITE = `${"a".repeat(199)}b`;
const stoppedError = (limitMs: number) =>
  `the text search (q) was stopped after ${limitMs} ms; narrow it with source, type, entity_id, since or until`;

const event = (payload: unknown, type = "search.test"): NewEvent => ({
  source: "trigger",
  type,
  occurredAt: new Date(),
  receivedAt: new Date(),
  payload,
  headers: {},
});

async function seed(app: TestApp, events: readonly NewEvent[]): Promise<void> {
  for (const seeded of events) {
    const stored = await app.store.events.record(seeded);
    if (stored.status !== "stored") throw new Error("seed event was a duplicate");
  }
}

describe.skipIf(!postgresUrl)("a text search past the search limit (postgres)", () => {
  let app: TestApp;
  /** Another session on the app's schema, to lock its tables and watch its queries. */
  let other: postgres.Sql;

  beforeAll(async () => {
    if (!postgresUrl) return;
    app = await startTestApp("postgres", {
      // One connection, so the test below can show the limit does not stay on it.
      openStore: (target) =>
        PgStore.open({
          url: target.kind === "postgres" ? target.url : "",
          searchLimitMs: LIMIT_MS,
          maxConnections: 1,
        }),
    });
    if (app.database.target.kind !== "postgres") throw new Error("unreachable");
    other = postgres(app.database.target.url, { max: 2, onnotice: () => {} });
    await seed(app, [event({ note: `a ${NEEDLE} in the payload` })]);
  });
  afterAll(async () => {
    await app?.stop();
    await other?.end();
  });

  /** Runs `during` while the other session holds an exclusive lock on the events table. */
  const withEventsLocked = <T>(during: () => Promise<T>): Promise<T> =>
    other.begin(async (tx) => {
      await tx`lock table events in access exclusive mode`;
      return during();
    }) as Promise<T>;

  /** The app's statements on the events table waiting for that lock. */
  const waitingForTheLock = async (): Promise<number> => {
    const [row] = await other<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity
      where application_name = 'hookyard' and wait_event_type = 'Lock'
        and query ilike '%from "events"%'`;
    return row?.waiting ?? -1;
  };

  test("a search that finishes in time answers as before", async () => {
    const response = await app.request(`/events?q=${NEEDLE}`);
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: { type: string }[] };
    expect(events.map((e) => e.type)).toEqual(["search.test"]);
  });

  test("the API answers 503 saying the search was stopped and how to narrow it; the server no longer runs it", async () => {
    const seen = await withEventsLocked(async () => {
      const started = performance.now();
      const response = await app.request(`/events?q=${NEEDLE}`);
      return {
        ms: performance.now() - started,
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: await response.json(),
        // Asked while the lock is still held: a search left running would still wait.
        waiting: await waitingForTheLock(),
      };
    });
    expect(seen).toMatchObject({
      status: 503,
      body: { error: stoppedError(LIMIT_MS) },
      waiting: 0,
    });
    expect(seen.retryAfter).not.toBeNull();
    // The limit, plus the time to answer on a busy machine; not the 8 s request limit.
    expect(seen.ms).toBeLessThan(LIMIT_MS + 1_500);
  });

  test("the dashboard keeps its page and the search form, says the search was stopped, and does not reload it", async () => {
    const response = await withEventsLocked(() => app.request(`/dashboard?q=${NEEDLE}`));
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("Search stopped");
    expect(html).toContain(
      `The text search was stopped after ${LIMIT_MS / 1000} s: it went through every stored event without filling a page. Narrow it with a source, a type or an entity id.`,
    );
    expect(html).toContain(`value="${NEEDLE}"`);
    expect(html).not.toContain("data-refresh-seconds");
  });

  test("the limit is the search's alone: a list on the same connection waits out a lock longer than it", async () => {
    const { listed } = await withEventsLocked(async () => {
      const listed = app.request("/events?type=search.test");
      await until(
        async () => (await waitingForTheLock()) === 1,
        5_000,
        () => "the list never waited for the lock",
      );
      // Held well past the search limit: a statement_timeout left on the connection
      // would cancel the list here.
      await Bun.sleep(LIMIT_MS * 3);
      // Wrapped: a promise returned as it is would be awaited before the lock is let go.
      return { listed };
    });
    const response = await listed;
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: unknown[] };
    expect(events).toHaveLength(1);
  });
});

describe("a text search past the search limit (sqlite)", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp("sqlite", {
      openStore: (target) =>
        SqliteStore.open(target.kind === "sqlite" ? target.path : "", undefined, {
          searchLimitMs: SQLITE_LIMIT_MS,
        }),
    });
    // Of a type of their own, so that the reads below do not carry their megabytes.
    const slowToSearch = event({ filler: "a".repeat(8 * 1024 * 1024) }, "search.slow");
    await seed(app, [event({ note: `a ${NEEDLE} in the payload` }), slowToSearch, slowToSearch]);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const searchFor = async (text: string) => {
    const started = performance.now();
    const response = await app.request(`/events?q=${text}`);
    return {
      status: response.status,
      body: (await response.json()) as { error?: string; events?: { type: string }[] },
      answeredAt: performance.now(),
      ms: performance.now() - started,
    };
  };

  test("a search that finishes in time answers as before", async () => {
    const { status, body } = await searchFor(NEEDLE);
    expect(status).toBe(200);
    expect(body.events?.map((e) => e.type)).toEqual(["search.test"]);
  });

  test("the server goes on serving while a search runs; the search is stopped at the limit with the same answer; the next waits for its thread to end", async () => {
    const search = searchFor(SLOW_ON_SQLITE);
    // Read one after another while the search runs: on the serving thread, the search
    // would hold up all but the first.
    const reads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await app.request("/events?type=search.test&limit=1");
      expect(response.status).toBe(200);
      reads.push(performance.now());
    }
    const stopped = await search;
    expect({ status: stopped.status, error: stopped.body.error }).toEqual({
      status: 503,
      error: stoppedError(SQLITE_LIMIT_MS),
    });
    expect(stopped.ms).toBeLessThan(SQLITE_LIMIT_MS + 1_500);
    expect(Math.max(...reads)).toBeLessThan(stopped.answeredAt);

    // The stopped search runs on until SQLite returns (a thread ends only then), and no
    // second thread starts meanwhile: stopped searches never pile up, a core each. The
    // next search waits for it, here past its own limit; once it is gone, searches answer.
    expect((await searchFor(NEEDLE)).status).toBe(503);
    await until(
      async () => (await searchFor(NEEDLE)).status === 200,
      15_000,
      () => "no search answered after the stopped one",
    );
  });

  test("searches asked together run one at a time, each stopped at its own limit", async () => {
    const [first, second] = await Promise.all([
      searchFor(SLOW_ON_SQLITE),
      searchFor(SLOW_ON_SQLITE),
    ]);
    for (const stopped of [first, second]) {
      expect({ status: stopped?.status, error: stopped?.body.error }).toEqual({
        status: 503,
        error: stoppedError(SQLITE_LIMIT_MS),
      });
      expect(stopped?.ms).toBeLessThan(SQLITE_LIMIT_MS + 1_500);
    }
  });
});
