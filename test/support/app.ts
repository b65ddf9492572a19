/**
 * Starts the real hookyard (HTTP server, workers, cron) on a random loopback port
 * against a fresh database, as `hookyard serve` would, for integration tests.
 */
import type { AppOptions } from "../../src/app.ts";
import {
  type Config,
  type DatabaseTarget,
  loadConfig,
  type SettingName,
} from "../../src/config.ts";
import type { AppContext } from "../../src/context.ts";
import { createLogger, type Logger, silentLogger } from "../../src/ops/log.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "./databases.ts";

export interface TestApp {
  readonly url: string;
  readonly ctx: AppContext;
  readonly store: Store;
  readonly database: TestDatabase;
  /** `fetch` relative to the app's URL. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and drops the database. */
  stop(): Promise<void>;
}

export interface TestAppOptions {
  readonly settings?: Partial<Record<SettingName, string>>;
  /** Overrides of the parsed settings that env strings cannot express (e.g. port 0). */
  readonly config?: Partial<Config>;
  readonly now?: () => Date;
  readonly log?: Logger;
  /** Reuse a database (e.g. to restart on the same data); not dropped on stop. */
  readonly database?: TestDatabase;
  readonly app?: AppOptions;
  /** Opens the store instead of `openStore` (to set a store's own limits). */
  readonly openStore?: (target: DatabaseTarget) => Store;
}

export function databaseUrlOf(database: TestDatabase): string {
  return database.target.kind === "sqlite" ? `sqlite:${database.target.path}` : database.target.url;
}

export async function startTestApp(
  dialect: DialectName,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const parsed = loadConfig({
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrlOf(database),
    LOG_LEVEL: "error",
    SHUTDOWN_TIMEOUT: "2s",
    // Retention only when a test asks for it: fixtures carry fixed dates, and once those
    // are older than RETENTION the default run every ten minutes deleted them in the
    // middle of whichever test was running at that minute.
    RETENTION_CRON: "0 0 1 1 *",
    ...options.settings,
  });
  const config: Config = Object.freeze({ ...parsed, port: 0, ...options.config });
  const ctx: AppContext = {
    config,
    store: (options.openStore ?? openStore)(config.database),
    log: options.log ?? (process.env.TEST_LOG ? createLogger("debug") : silentLogger),
    metrics: createMetrics(),
    version: "0.0.0-test",
    now: options.now ?? (() => new Date()),
  };
  let server: RunningServer;
  try {
    server = await startServer(ctx, options.app);
  } catch (error) {
    await ctx.store.close();
    if (!options.database) await database.drop();
    throw error;
  }
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    ctx,
    store: ctx.store,
    database,
    request: (path, init) => fetch(`${url}${path}`, init),
    async stop() {
      await server.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** JSON POST helper. */
export function postJson(
  app: TestApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
