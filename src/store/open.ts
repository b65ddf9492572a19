import type { DatabaseTarget } from "../config.ts";
import type { Logger } from "../ops/log.ts";
import { bounded } from "./bounded.ts";
import { PgStore } from "./pg/index.ts";
import { probeEndpoints } from "./pg/probe.ts";
import { CONNECT_TIMEOUT_MS, parsePgTarget } from "./pg/target.ts";
import { SqliteStore } from "./sqlite/index.ts";
import { pgConnectFailure, probeFailure, sqliteOpenFailure } from "./startup-errors.ts";
import type { Store } from "./store.ts";

/**
 * Picks the store implementation once, from DATABASE_URL. A SQLite file that cannot be
 * opened or created is a ConfigError naming DATABASE_URL; PostgreSQL connects lazily, so
 * `checkConnection` is what finds it wanting.
 */
export function openStore(target: DatabaseTarget, log?: Logger): Store {
  if (target.kind === "postgres") return PgStore.open({ url: target.url });
  try {
    return SqliteStore.open(target.path, log);
  } catch (error) {
    throw sqliteOpenFailure(error, target.path) ?? error;
  }
}

/**
 * Before the first real work (migrating): does PostgreSQL answer at DATABASE_URL and let
 * hookyard in? A ConfigError naming DATABASE_URL if not, within `timeoutMs` per step.
 * The probe answers what the driver cannot (something else listens there: the driver
 * retried for ever); the first query, bounded, answers the rest (the password, the
 * database, an address the probe could not read from the URL).
 */
export async function checkConnection(
  store: Store,
  target: DatabaseTarget,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<void> {
  if (target.kind !== "postgres") return;
  const pg = parsePgTarget(target.url);
  if (pg.endpoints.length > 0) {
    const failures = await probeEndpoints(pg.endpoints, timeoutMs);
    if (failures) throw probeFailure(failures);
  }
  try {
    await bounded(store.ping(), timeoutMs, "the first query");
  } catch (error) {
    throw pgConnectFailure(error, pg);
  }
}
