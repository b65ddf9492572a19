/** Something that runs beside the HTTP server: delivery and relay workers, the retention cron. */
export interface BackgroundService {
  readonly name: string;
  start(): Promise<void>;
  /** Stop taking new work and finish what is in flight; the caller bounds the wait. */
  stop(): Promise<void>;
}
