/**
 * The PostgreSQL store: postgres.js with drizzle. Several hookyard instances may share
 * one database: migrations and exclusive jobs take advisory locks, workers claim rows
 * with `FOR UPDATE SKIP LOCKED`, and LISTEN/NOTIFY wakes every instance's workers.
 */
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type MigrationReport, pendingMigrations, splitStatements } from "../migrate.ts";
import { pgMigrations } from "../migrations.gen.ts";
import type { LockResult, Store, WorkQueue } from "../store.ts";
import type { PgDb } from "./db.ts";
import { PgDeliveryStore } from "./deliveries.ts";
import { PgEndpointStore } from "./endpoints.ts";
import { PgChangeStore, PgEventStore } from "./events.ts";
import { PgHookStore } from "./hooks.ts";
import { PgRelayStore } from "./relay.ts";
import { PgRetentionStore } from "./retention.ts";
import * as schema from "./schema.ts";

const CHANNELS: Record<WorkQueue, string> = {
  deliveries: "hookyard_deliveries",
  relay: "hookyard_relay",
};

/** Connections for the delivery worker's bookkeeping, beside the pool (see `open`). */
const WORKER_CONNECTIONS = 2;

export interface PgStoreOptions {
  readonly url: string;
  /** Connections in the pool; ingestion, workers and the dashboard share it. */
  readonly maxConnections?: number;
  /** Set on every connection, so tests can run in a schema of their own. */
  readonly searchPath?: string;
}

export class PgStore implements Store {
  readonly dialect = "postgres" as const;
  readonly events: PgEventStore;
  readonly changes: PgChangeStore;
  readonly endpoints: PgEndpointStore;
  readonly deliveries: PgDeliveryStore;
  readonly relay: PgRelayStore;
  readonly hooks: PgHookStore;
  readonly retention: PgRetentionStore;
  private readonly db: PgDb;
  private readonly heldLocks = new Set<string>();

  /**
   * @param workerClient connections for the delivery worker's bookkeeping, set up for it
   *   (see `open`); defaults to `client`.
   */
  constructor(
    readonly client: postgres.Sql,
    private readonly workerClient: postgres.Sql = client,
    db?: PgDb,
  ) {
    this.db = db ?? drizzle({ client, schema });
    this.events = new PgEventStore(this.db, client);
    this.changes = new PgChangeStore(this.db);
    this.retention = new PgRetentionStore(this.db);
    this.hooks = new PgHookStore(this.db);
    this.endpoints = new PgEndpointStore(this.db);
    this.deliveries = new PgDeliveryStore(this.db, workerClient);
    this.relay = new PgRelayStore(this.db);
  }

  static open(options: PgStoreOptions): PgStore {
    const connect = (max: number, settings: Record<string, string> = {}) =>
      postgres(options.url, {
        max,
        // A dead database must fail requests quickly (503), not hang them.
        connect_timeout: 5,
        idle_timeout: 30,
        onnotice: () => {},
        connection: {
          application_name: "hookyard",
          ...(options.searchPath ? { search_path: options.searchPath } : {}),
          ...settings,
        },
      });
    return new PgStore(
      connect(options.maxConnections ?? 10),
      // The delivery worker's claims and records, on connections of their own, set up for
      // them (one claim and one batch of records at a time, so two are enough):
      // - Their statements touch a few rows through primary keys and the due index, in
      //   index order, but the planner's guesses made it scan whole tables and sort every
      //   due row instead (jsonb_to_recordset counts as 100 rows; a young table's statistics
      //   are stale until autovacuum analyzes it, a minute or more into a burst): 10-40 ms
      //   a statement against under 1 ms at 15,000 due. Sequential scans and sorts are
      //   priced out here, and only here.
      // - Their commits need not wait for the WAL flush (3 ms here, and the worker commits
      //   one claim or batch at a time): after a database server crash the last fraction of
      //   a second of leases and records may be lost, and those deliveries are sent again,
      //   which at-least-once delivery allows. Events are always committed synchronously.
      connect(WORKER_CONNECTIONS, {
        enable_seqscan: "off",
        enable_sort: "off",
        synchronous_commit: "off",
      }),
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

  async tryExclusive<T>(name: string, task: () => Promise<T>): Promise<LockResult<T>> {
    if (this.heldLocks.has(name)) return { ran: false };
    this.heldLocks.add(name);
    // A session-level advisory lock lives on one connection: reserve it for the whole
    // task, so the task itself can commit in small batches on the pool.
    const connection = await this.client.reserve();
    try {
      const [row] = await connection<{ locked: boolean }[]>`
        select pg_try_advisory_lock(hashtext(${`hookyard:${name}`})) as locked`;
      if (!row?.locked) return { ran: false };
      try {
        return { ran: true, value: await task() };
      } finally {
        await connection`select pg_advisory_unlock(hashtext(${`hookyard:${name}`}))`;
      }
    } finally {
      connection.release();
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

  async close(): Promise<void> {
    await Promise.all([
      this.client.end({ timeout: 5 }),
      this.workerClient === this.client ? undefined : this.workerClient.end({ timeout: 5 }),
    ]);
  }
}
