/**
 * Every source this instance answers for: those of the config file, and those stored
 * through the API, kept in memory so that a request to /in/<name> costs no database read
 * before it is verified (nor does one to a name that does not exist).
 *
 * This instance's own writes invalidate the stored ones, so its next request sees them;
 * another instance's (several on one PostgreSQL) are seen within REFRESH_MS
 * (../lib/refreshing-cache.ts). A stored source whose settings no longer read is left
 * out, with a warning.
 */
import { RefreshingCache } from "../lib/refreshing-cache.ts";
import type { Logger } from "../ops/log.ts";
import type { SourceStore } from "../store/sources.ts";
import { type Source, sourceOfRecord } from "./definition.ts";

export const REFRESH_MS = 5_000;

export class SourceRegistry {
  private readonly stored: RefreshingCache<ReadonlyMap<string, Source>>;
  private readonly declared: ReadonlyMap<string, Source>;

  constructor(
    store: SourceStore,
    declared: readonly Source[],
    private readonly log: Logger,
  ) {
    this.declared = new Map(declared.map((source) => [source.name, source]));
    this.stored = new RefreshingCache(
      async () => this.readable(await store.list()),
      REFRESH_MS,
      (error) => log.warn("sources.reload_failed", { error: String(error) }),
    );
  }

  /** The source named `name`; one of the config file wins over a stored one. */
  async get(name: string): Promise<Source | undefined> {
    return this.declared.get(name) ?? (await this.stored.get()).get(name);
  }

  /** By name. */
  async list(): Promise<readonly Source[]> {
    const all = new Map([...(await this.stored.get()), ...this.declared]);
    return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The names as last loaded, without waiting: what the filters on events accept. */
  knownNames(): readonly string[] {
    return [...new Set([...this.declared.keys(), ...(this.stored.peek()?.keys() ?? [])])];
  }

  isDeclared(name: string): boolean {
    return this.declared.has(name);
  }

  /** After a source was created, changed or deleted here. */
  invalidate(): void {
    this.stored.invalidate();
  }

  private readable(records: Awaited<ReturnType<SourceStore["list"]>>): Map<string, Source> {
    const sources = new Map<string, Source>();
    for (const record of records) {
      const read = sourceOfRecord(record);
      if (read.ok) sources.set(record.name, read.source);
      else {
        this.log.warn("sources.unreadable", {
          source: record.name,
          problems: read.problems.map((p) => `${p.field}: ${p.message}`),
        });
      }
    }
    return sources;
  }
}
