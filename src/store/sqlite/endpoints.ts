import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { newId } from "../../lib/ids.ts";
import type { Endpoint, EndpointPatch, EndpointStore, NewEndpoint } from "../endpoints.ts";
import type { FilteredEndpoints } from "../filtered-endpoints.ts";
import type { SqliteDb } from "./db.ts";
import { endpoints } from "./schema.ts";

export class SqliteEndpointStore implements EndpointStore {
  constructor(
    private readonly db: SqliteDb,
    /** Told of every write, so that the next event is routed by what was written. */
    private readonly filtered: FilteredEndpoints,
  ) {}

  async create(endpoint: NewEndpoint, now: Date): Promise<Endpoint> {
    const [row] = await this.db
      .insert(endpoints)
      .values({
        id: newId(),
        ...endpoint,
        eventTypes: [...endpoint.eventTypes],
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    this.filtered.invalidate();
    return row;
  }

  async get(id: string): Promise<Endpoint | undefined> {
    const [row] = await this.db.select().from(endpoints).where(eq(endpoints.id, id)).limit(1);
    return row;
  }

  async list(): Promise<readonly Endpoint[]> {
    return this.db.select().from(endpoints).orderBy(asc(endpoints.createdAt), asc(endpoints.id));
  }

  async update(id: string, patch: EndpointPatch, now: Date): Promise<Endpoint | undefined> {
    const { eventTypes, ...rest } = patch;
    const [row] = await this.db
      .update(endpoints)
      .set({
        ...rest,
        ...(eventTypes ? { eventTypes: [...eventTypes] } : {}),
        ...(patch.enabled === true ? { failingSince: failingClockRestarted(now) } : {}),
        updatedAt: now,
      })
      .where(eq(endpoints.id, id))
      .returning();
    this.filtered.invalidate();
    return row;
  }

  async rotateSecret(
    id: string,
    secret: string,
    previousUntil: Date,
    now: Date,
  ): Promise<Endpoint | undefined> {
    const [row] = await this.db
      .update(endpoints)
      // The right-hand sides read the row as it was: the previous secret is the one replaced.
      .set({
        previousSecret: sql`${endpoints.secret}`,
        previousSecretUntil: previousUntil,
        secret,
        updatedAt: now,
      })
      .where(eq(endpoints.id, id))
      .returning();
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(endpoints)
      .where(eq(endpoints.id, id))
      .returning({ id: endpoints.id });
    this.filtered.invalidate();
    return deleted.length > 0;
  }
}

/** A disabled endpoint that is being enabled with failures on record starts their clock now. */
function failingClockRestarted(now: Date) {
  return sql`case when ${endpoints.enabled} then ${endpoints.failingSince}
    when ${endpoints.consecutiveFailures} > 0 then ${sql.param(now, endpoints.failingSince)} end`;
}

/** The enabled endpoints with a payload filter: what FilteredEndpoints keeps. */
export function filteredEndpointsOf(db: SqliteDb) {
  return () =>
    db
      .select({ id: endpoints.id, eventTypes: endpoints.eventTypes, filter: endpoints.filter })
      .from(endpoints)
      .where(and(eq(endpoints.enabled, true), isNotNull(endpoints.filter)));
}
