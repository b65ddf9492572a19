import { asc, eq } from "drizzle-orm";
import type { NewSource, SourcePatch, SourceRecord, SourceStore } from "../sources.ts";
import type { PgDb } from "./db.ts";
import { sources } from "./schema.ts";

export class PgSourceStore implements SourceStore {
  constructor(private readonly db: PgDb) {}

  async create(source: NewSource, now: Date): Promise<SourceRecord | "exists"> {
    const [row] = await this.db
      .insert(sources)
      .values({ ...source, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: sources.name })
      .returning();
    return row ?? "exists";
  }

  async get(name: string): Promise<SourceRecord | undefined> {
    const [row] = await this.db.select().from(sources).where(eq(sources.name, name)).limit(1);
    return row;
  }

  async list(): Promise<readonly SourceRecord[]> {
    return this.db.select().from(sources).orderBy(asc(sources.name));
  }

  async update(name: string, patch: SourcePatch, now: Date): Promise<SourceRecord | undefined> {
    const [row] = await this.db
      .update(sources)
      .set({ ...patch, updatedAt: now })
      .where(eq(sources.name, name))
      .returning();
    return row;
  }

  async delete(name: string): Promise<boolean> {
    const deleted = await this.db
      .delete(sources)
      .where(eq(sources.name, name))
      .returning({ name: sources.name });
    return deleted.length > 0;
  }
}
