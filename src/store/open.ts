import type { DatabaseTarget } from "../config.ts";
import type { Logger } from "../ops/log.ts";
import { PgStore } from "./pg/index.ts";
import { SqliteStore } from "./sqlite/index.ts";
import type { Store } from "./store.ts";

/** Picks the store implementation once, from DATABASE_URL. */
export function openStore(target: DatabaseTarget, log?: Logger): Store {
  return target.kind === "postgres"
    ? PgStore.open({ url: target.url })
    : SqliteStore.open(target.path, log);
}
