import { desc, eq, sql } from "drizzle-orm";
import type { Hook, HookStore } from "../hooks.ts";
import type { PgDb } from "./db.ts";
import { hooks } from "./schema.ts";

export class PgHookStore implements HookStore {
  constructor(private readonly db: PgDb) {}

  async create(userid: string, now: Date): Promise<Hook> {
    const [hook] = await this.db
      .insert(hooks)
      .values({ id: crypto.randomUUID(), userid, createdAt: now })
      .returning();
    if (!hook) throw new Error("insert returned no row");
    return hook;
  }

  async get(id: string): Promise<Hook | undefined> {
    const [hook] = await this.db.select().from(hooks).where(eq(hooks.id, id)).limit(1);
    return hook;
  }

  async list(limit: number): Promise<readonly Hook[]> {
    return this.db.select().from(hooks).orderBy(desc(hooks.createdAt)).limit(limit);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.delete(hooks).where(eq(hooks.id, id)).returning({ id: hooks.id });
    return deleted.length > 0;
  }

  async markTriggered(id: string, at: Date): Promise<boolean> {
    const updated = await this.db
      .update(hooks)
      .set({ lastTriggeredAt: at, triggerCount: sql`${hooks.triggerCount} + 1` })
      .where(eq(hooks.id, id))
      .returning({ id: hooks.id });
    return updated.length > 0;
  }
}
