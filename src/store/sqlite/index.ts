/**
 * The embedded SQLite store (bun:sqlite with drizzle): zero set-up, one process.
 * Bun's driver is synchronous, so a transaction cannot interleave with other work in
 * this process; claims and locks need no row locking, only an in-process guard.
 */
import { Database } from "bun:sqlite";
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { Logger } from "../../ops/log.ts";
import { SEARCH_LIMIT_MS } from "../bounded.ts";
import { FilteredEndpoints } from "../filtered-endpoints.ts";
import { type MigrationReport, pendingMigrations, splitStatements } from "../migrate.ts";
import { sqliteMigrations } from "../migrations.gen.ts";
import type { BroadcastTopic, LockResult, Store, WorkQueue } from "../store.ts";
import { SqliteChartStore } from "./charts.ts";
import type { SqliteDb } from "./db.ts";
import { SqliteDeliveryStore } from "./deliveries.ts";
import { SqliteEndpointHealthStore } from "./endpoint-health.ts";
import { filteredEndpointsOf, SqliteEndpointStore } from "./endpoints.ts";
import { SqliteChangeStore, SqliteEventStore } from "./events.ts";
import { SqliteHookStore } from "./hooks.ts";
import { SqliteRecoveryStore } from "./recovery.ts";
import { SqliteRelayStore } from "./relay.ts";
import { SqliteRetentionStore } from "./retention.ts";
import * as schema from "./schema.ts";
import { SearchThread } from "./search-thread.ts";
import { SqliteSourceStore } from "./sources.ts";
import { type CheckpointerLog, WalCheckpointer } from "./wal-checkpointer.ts";

const SILENT: CheckpointerLog = { debug: () => {}, warn: () => {} };

export interface SqliteStoreOptions {
  /** How long a text search may take before it is stopped; SEARCH_LIMIT_MS unless given. */
  readonly searchLimitMs?: number;
}

export class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  readonly events: SqliteEventStore;
  readonly changes: SqliteChangeStore;
  readonly endpoints: SqliteEndpointStore;
  readonly endpointHealth: SqliteEndpointHealthStore;
  readonly deliveries: SqliteDeliveryStore;
  readonly relay: SqliteRelayStore;
  readonly hooks: SqliteHookStore;
  readonly retention: SqliteRetentionStore;
  readonly recovery: SqliteRecoveryStore;
  readonly charts: SqliteChartStore;
  readonly sources: SqliteSourceStore;
  private readonly db: SqliteDb;
  private readonly wakeups = new EventEmitter();
  private readonly broadcasts = new EventEmitter().setMaxListeners(0);
  private readonly heldLocks = new Set<string>();

  /**
   * @param checkpointer runs the WAL's checkpoints on a thread of its own; without one,
   *   SQLite runs them in commits, on this thread.
   */
  constructor(
    readonly sqlite: Database,
    private readonly checkpointer?: WalCheckpointer,
    /** Runs text searches on a thread of their own; without one, on this thread. */
    private readonly search?: SearchThread,
  ) {
    this.db = drizzle({ client: sqlite, schema });
    const filtered = new FilteredEndpoints(filteredEndpointsOf(this.db));
    this.events = new SqliteEventStore(
      this.db,
      sqlite,
      () => this.wakeups.emit("deliveries"),
      filtered,
      search,
    );
    this.changes = new SqliteChangeStore(this.db);
    this.retention = new SqliteRetentionStore(this.db);
    this.hooks = new SqliteHookStore(this.db);
    this.endpoints = new SqliteEndpointStore(this.db, filtered);
    this.endpointHealth = new SqliteEndpointHealthStore(this.db);
    this.deliveries = new SqliteDeliveryStore(this.db, sqlite);
    this.relay = new SqliteRelayStore(this.db, () => this.wakeups.emit("relay"));
    this.sources = new SqliteSourceStore(this.db);
    this.charts = new SqliteChartStore(this.db);
    this.recovery = new SqliteRecoveryStore(this.db, sqlite);
  }

  /**
   * `path` is a file (its folder is created) or `:memory:`, whose searches run on this
   * thread: no other connection can see an in-memory database.
   */
  static open(path: string, log?: Logger, options: SqliteStoreOptions = {}): SqliteStore {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const sqlite = new Database(path, { create: true, strict: true });
    // WAL lets the dashboard read while ingestion writes; busy_timeout rides out a
    // moment of contention (e.g. `hookyard prune` run beside the server, whose batches
    // commit in milliseconds) instead of failing. Kept short because Bun's driver waits
    // synchronously: the whole server stalls while one statement waits, and with 5 s a
    // lock held by another process froze every request for 5 s each (then a 503 anyway).
    sqlite.run("pragma journal_mode = wal");
    sqlite.run("pragma synchronous = normal");
    sqlite.run("pragma busy_timeout = 250");
    sqlite.run("pragma foreign_keys = on");
    // The default 2 MB page cache cannot hold the events indexes once there are many
    // events; every insert then rereads index pages from disk.
    sqlite.run("pragma cache_size = -65536");
    sqlite.run("pragma mmap_size = 268435456");
    if (path === ":memory:") return new SqliteStore(sqlite);
    // Checkpoints off the thread that serves requests (./wal-checkpointer.ts says why).
    const checkpointer = new WalCheckpointer(path, sqlite, log ?? SILENT);
    const search = new SearchThread(path, options.searchLimitMs ?? SEARCH_LIMIT_MS);
    return new SqliteStore(sqlite, checkpointer, search);
  }

  async migrate(): Promise<MigrationReport> {
    this.sqlite.run(`create table if not exists hookyard_migrations (
      tag text primary key,
      applied_at integer not null
    )`);
    // IMMEDIATE takes the write lock first, so a second process migrating the same
    // file waits instead of applying the same migration.
    const apply = this.sqlite.transaction(() => {
      const applied = this.sqlite
        .query<{ tag: string }, []>("select tag from hookyard_migrations")
        .all()
        .map((row) => row.tag);
      const pending = pendingMigrations(sqliteMigrations, applied);
      for (const migration of pending) {
        for (const statement of splitStatements(migration.sql)) this.sqlite.run(statement);
        this.sqlite.run("insert into hookyard_migrations (tag, applied_at) values (?, ?)", [
          migration.tag,
          Date.now(),
        ]);
      }
      return pending.map((migration) => migration.tag);
    });
    return { applied: apply.immediate() };
  }

  async ping(): Promise<void> {
    this.sqlite.query("select 1").get();
  }

  async tryExclusive<T>(name: string, task: () => Promise<T>): Promise<LockResult<T>> {
    if (this.heldLocks.has(name)) return { ran: false };
    this.heldLocks.add(name);
    try {
      return { ran: true, value: await task() };
    } finally {
      this.heldLocks.delete(name);
    }
  }

  async wake(queue: WorkQueue): Promise<void> {
    this.wakeups.emit(queue);
  }

  async onWake(queue: WorkQueue, listener: () => void): Promise<() => Promise<void>> {
    this.wakeups.on(queue, listener);
    return async () => {
      this.wakeups.off(queue, listener);
    };
  }

  broadcast(topic: BroadcastTopic, message: string): void {
    // One instance: its listeners, after the caller's turn (never inside the worker's call).
    queueMicrotask(() => this.broadcasts.emit(topic, message));
  }

  async onBroadcast(
    topic: BroadcastTopic,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    this.broadcasts.on(topic, listener);
    return async () => {
      this.broadcasts.off(topic, listener);
    };
  }

  async close(): Promise<void> {
    await this.search?.close();
    await this.checkpointer?.close();
    this.sqlite.close();
  }
}
