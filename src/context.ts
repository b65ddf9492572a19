import type { Config } from "./config.ts";
import type { Logger } from "./ops/log.ts";
import type { Metrics } from "./ops/metrics.ts";
import type { Store } from "./store/store.ts";

/** What every feature gets from the app: settings, storage, logs, metrics and a clock. */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** package.json's version, for `--version`, the user-agent and the OpenAPI document. */
  readonly version: string;
  /** The current time; tests may move it. */
  readonly now: () => Date;
}
