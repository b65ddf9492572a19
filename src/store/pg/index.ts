/**
 * The PostgreSQL store: postgres.js with drizzle. Several hookyard instances may share
 * one database: migrations and exclusive jobs take advisory locks, workers claim rows
 * with `FOR UPDATE SKIP LOCKED`, and LISTEN/NOTIFY wakes every instance's workers.
 */
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { bounded, SMALL_QUERY_LIMIT_MS } from "../bounded.ts";
import { isDatabaseUnavailable } from "../errors.ts";
import { FilteredEndpoints } from "../filtered-endpoints.ts";
import { type MigrationReport, pendingMigrations, splitStatements } from "../migrate.ts";
import { pgMigrations } from "../migrations.gen.ts";
import type { BroadcastTopic, LockResult, Store, WorkQueue } from "../store.ts";
import { NotifyBatcher } from "./broadcast.ts";
import { PgChartStore } from "./charts.ts";
import type { PgDb } from "./db.ts";
import { PgDeliveryStore } from "./deliveries.ts";
import { PgEndpointHealthStore } from "./endpoint-health.ts";
import { filteredEndpointsOf, PgEndpointStore } from "./endpoints.ts";
import { INGEST_WRITERS, PgChangeStore, PgEventStore } from "./events.ts";
import { PgHookStore } from "./hooks.ts";
import { PgRecoveryStore } from "./recovery.ts";
import { PgRelayStore } from "./relay.ts";
import { PgRetentionStore } from "./retention.ts";
import * as schema from "./schema.ts";
import { PgSourceStore } from "./sources.ts";
import { CONNECT_TIMEOUT_MS, parsePgTarget } from "./target.ts";

const CHANNELS: Record<WorkQueue, string> = {
  deliveries: "hookyard_deliveries",
  relay: "hookyard_relay",
};

/** Connections for the delivery worker's bookkeeping, beside the pool (see `open`). */
const WORKER_CONNECTIONS = 2;

export interface PgStoreOptions {
  readonly url: string;
  /** Connections in the pool; the API, the dashboard and the relay share it. */
  readonly maxConnections?: number;
  /** Set on every connection, so tests can run in a schema of their own. */
  readonly searchPath?: string;
  /** How long taking or releasing a lock may take; SMALL_QUERY_LIMIT_MS unless given. */
  readonly lockCallLimitMs?: number;
  /** How long PostgreSQL may spend on a text search; SEARCH_LIMIT_MS unless given. */
  readonly searchLimitMs?: number;
}

/**
 * How long a pool connection waits before reconnecting after a failure, in seconds.
 * postgres.js's default grows to 20 s over a few failures, and a query queued on the
 * connection waits that delay out before it can fail: during an outage requests hung for
 * up to 20 s instead of answering 503, and the pool came back up to 20 s after the
 * database did. A refused connection costs the server nothing, so cap it at 1 s (jittered,
 * so the pool's connections do not retry in step).
 */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

export class PgStore implements Store {
  readonly dialect = "postgres" as const;
  readonly events: PgEventStore;
  readonly changes: PgChangeStore;
  readonly endpoints: PgEndpointStore;
  readonly endpointHealth: PgEndpointHealthStore;
  readonly deliveries: PgDeliveryStore;
  readonly relay: PgRelayStore;
  readonly hooks: PgHookStore;
  readonly retention: PgRetentionStore;
  readonly recovery: PgRecoveryStore;
  readonly charts: PgChartStore;
  readonly sources: PgSourceStore;
  private readonly db: PgDb;
  private readonly heldLocks = new Set<string>();
  private readonly broadcasts: NotifyBatcher;

  constructor(
    readonly client: postgres.Sql,
    /** A pool of exactly one connection, for session-level advisory locks (tryExclusive). */
    private readonly lockClient: postgres.Sql,
    /** The delivery worker's claims and records, on connections set up for them (`open`). */
    private readonly workerClient: postgres.Sql,
    /** Ingestion's batched inserts, on connections set up for them (`open`). */
    private readonly ingestClient: postgres.Sql,
    private readonly lockCallLimitMs = SMALL_QUERY_LIMIT_MS,
    searchLimitMs?: number,
  ) {
    this.db = drizzle({ client, schema });
    this.broadcasts = new NotifyBatcher(client);
    const filtered = new FilteredEndpoints(filteredEndpointsOf(this.db));
    this.events = new PgEventStore(this.db, ingestClient, filtered, searchLimitMs);
    this.changes = new PgChangeStore(this.db);
    this.retention = new PgRetentionStore(this.db);
    this.hooks = new PgHookStore(this.db);
    this.endpoints = new PgEndpointStore(this.db, filtered);
    this.endpointHealth = new PgEndpointHealthStore(this.db);
    this.deliveries = new PgDeliveryStore(this.db, workerClient);
    this.relay = new PgRelayStore(this.db);
    this.sources = new PgSourceStore(this.db);
    this.charts = new PgChartStore(this.db);
    this.recovery = new PgRecoveryStore(this.db);
  }

  static open(options: PgStoreOptions): PgStore {
    const { url, path } = parsePgTarget(options.url).connection;
    const common = {
      ...(path ? { path } : {}),
      // A dead database must fail requests quickly (503), not hang them.
      connect_timeout: CONNECT_TIMEOUT_MS / 1000,
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
      // postgres.js otherwise looks up the server's array types with each new
      // connection's first query, and nothing awaits that lookup: a connection lost
      // during it is an unhandled rejection, which ends the process. hookyard never sends
      // or reads PostgreSQL arrays (lists are jsonb), so the lookup is not needed.
      // test/store/pg-outage.test.ts loses a connection of each pool there.
      fetch_types: false,
    };
    const connection = {
      application_name: "hookyard",
      ...(options.searchPath ? { search_path: options.searchPath } : {}),
    };
    const client = postgres(url, {
      ...common,
      connection,
      max: options.maxConnections ?? 6,
      idle_timeout: 30,
    });
    // Ingestion's inserts, one connection per group-commit writer (./events.ts), so that
    // a burst of events never waits behind dashboard reads, nor they behind it. Their
    // statement has one fixed plan whatever its values: a VALUES list inserted into known
    // tables. Under the default plan_cache_mode PostgreSQL kept planning it afresh for
    // most batches (each batch size is its own prepared statement, planned five times per
    // connection before a cached plan is even considered, and often after): planning was
    // a fifth of its samples during GitHub ingest, the payloads' jsonb casts included,
    // which it folded while planning and now does while executing. Here the cached generic
    // plan is used from the first execution: 3-8% less PostgreSQL CPU per event.
    const ingest = postgres(url, {
      ...common,
      connection: { ...connection, plan_cache_mode: "force_generic_plan" },
      max: INGEST_WRITERS,
      idle_timeout: 30,
    });
    // A session-level advisory lock must be taken and released on one connection.
    // postgres.js's reserve() gives one, but a reserved connection lost to an outage breaks
    // the pool once released: later queries never settle, or an uncaught TypeError kills
    // the process (porsager/postgres#1199, #1208). A pool of one connection gives the same
    // guarantee with plain queries, which reconnect cleanly. Opened on first use; no idle
    // or lifetime limit, since closing it would drop a lock held by a long task.
    const locks = postgres(url, {
      ...common,
      connection,
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
    });
    // The delivery worker's claims and records, on connections of their own, set up for
    // them (one claim and one batch of records at a time, so two are enough):
    // - Their statements touch a few rows through primary keys and the due index, in
    //   index order, but the planner's guesses made it scan whole tables and sort every
    //   due row instead (jsonb_to_recordset counts as 100 rows; a young table's statistics
    //   are stale until autovacuum analyzes it, a minute or more into a burst): 10-40 ms
    //   a statement against under 1 ms at 15,000 due. Sequential scans and sorts are
    //   priced out here, and only here; so are hash and merge joins, since with the scans
    //   gone the plan cached while the table was small read the whole primary key index
    //   into a hash join instead (70 ms a batch of records at 60,000 deliveries).
    // - No JIT: its cost estimate counts a scan priced out above as 10^10, and compiling
    //   such a statement took 2 s (recording a batch whose operational events fan out to
    //   every endpoint: a scan of the endpoints, which have no other index to read).
    // - Their commits need not wait for the WAL flush (3 ms here, and the worker commits
    //   one claim or batch at a time): after a database server crash the last fraction of
    //   a second of leases and records may be lost, and those deliveries are sent again,
    //   which at-least-once delivery allows. Events are always committed synchronously.
    const worker = postgres(url, {
      ...common,
      connection: {
        ...connection,
        enable_seqscan: "off",
        enable_sort: "off",
        enable_hashjoin: "off",
        enable_mergejoin: "off",
        jit: "off",
        synchronous_commit: "off",
      },
      max: WORKER_CONNECTIONS,
      idle_timeout: 30,
    });
    return new PgStore(
      client,
      locks,
      worker,
      ingest,
      options.lockCallLimitMs,
      options.searchLimitMs,
    );
  }

  async migrate(): Promise<MigrationReport> {
    return this.client.begin(async (tx) => {
      // Instances starting together queue here; the second finds nothing left to do.
      await tx`select pg_advisory_xact_lock(hashtext('hookyard:migrate'))`;
      await tx`create table if not exists hookyard_migrations (
        tag text primary key,
        applied_at timestamptz not null default now()
      )`;
      const applied = await tx<{ tag: string }[]>`select tag from hookyard_migrations`;
      const pending = pendingMigrations(
        pgMigrations,
        applied.map((row) => row.tag),
      );
      for (const migration of pending) {
        for (const statement of splitStatements(migration.sql)) {
          // drizzle-kit writes references as "public"."table"; hookyard's tables live in
          // whatever schema the connection's search_path names (a schema per tenant or test).
          await tx.unsafe(statement.replaceAll('"public".', ""));
        }
        await tx`insert into hookyard_migrations (tag) values (${migration.tag})`;
      }
      return { applied: pending.map((migration) => migration.tag) };
    });
  }

  async ping(): Promise<void> {
    await this.client`select 1`;
  }

  /**
   * Taking and releasing the lock are bounded (../bounded.ts): unbounded, a retention run
   * waiting on a query that never answered never ended, and croner skips every later tick
   * while a run is going, so retention stopped for good. A lock the server grants after
   * the client gave up stays with this instance's session; advisory locks are reentrant
   * there, so this instance's next run takes it again and retention goes on, here.
   */
  async tryExclusive<T>(name: string, task: () => Promise<T>): Promise<LockResult<T>> {
    if (this.heldLocks.has(name)) return { ran: false };
    this.heldLocks.add(name);
    const key = `hookyard:${name}`;
    try {
      // On the lock connection, held while the task commits in small batches on the pool.
      const [row] = await bounded(
        this.lockClient<{ locked: boolean }[]>`
          select pg_try_advisory_lock(hashtext(${key})) as locked`,
        this.lockCallLimitMs,
        `taking the ${name} lock`,
      );
      if (!row?.locked) return { ran: false };
      try {
        return { ran: true, value: await task() };
      } finally {
        await bounded(
          this.lockClient`select pg_advisory_unlock(hashtext(${key}))`,
          this.lockCallLimitMs,
          `releasing the ${name} lock`,
        ).catch((error) => {
          // The lock connection is gone, and the server released its locks with the
          // session (or, unanswered, it holds the lock for this instance's next run, as
          // above); the task's own outcome is what the caller needs to hear.
          if (!isDatabaseUnavailable(error)) throw error;
        });
      }
    } finally {
      this.heldLocks.delete(name);
    }
  }

  async wake(queue: WorkQueue): Promise<void> {
    await this.db.execute(sql`select pg_notify(${CHANNELS[queue]}, '')`);
  }

  async onWake(queue: WorkQueue, listener: () => void): Promise<() => Promise<void>> {
    const subscription = await this.client.listen(CHANNELS[queue], () => listener());
    return () => subscription.unlisten();
  }

  broadcast(topic: BroadcastTopic, message: string): void {
    this.broadcasts.send(topic, message);
  }

  onBroadcast(
    topic: BroadcastTopic,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    return this.broadcasts.listen(topic, listener);
  }

  async close(): Promise<void> {
    // The timeout also bounds a postgres.js bug: a connection reset mid-query keeps that
    // query as its current one, and end() waits for it forever (porsager/postgres#1130).
    // So after an outage, closing takes these 5 s; the workers and HTTP have drained by now.
    await this.broadcasts.flush();
    await Promise.all(
      [this.client, this.lockClient, this.workerClient, this.ingestClient].map((client) =>
        client.end({ timeout: 5 }),
      ),
    );
  }
}
