/**
 * The thread that writes large events to PostgreSQL (../writer-thread.ts): one connection
 * of its own, set up as the serving thread's (the last of the worker's argv, as JSON),
 * writing each event alone with the statement the serving thread uses for a batch.
 */
import postgres from "postgres";
import { serveWrites } from "../writer-thread-worker.ts";
import { type Inserted, insertEvents, type PendingEvent } from "./events.ts";

const settings = JSON.parse(process.argv.at(-1) as string) as postgres.Options<
  Record<string, postgres.PostgresType>
>;
const client = postgres({
  ...settings,
  max: 1,
  idle_timeout: 30,
  fetch_types: false,
  onnotice: () => {},
});

serveWrites<PendingEvent, Inserted | undefined>(
  async (pending) => (await insertEvents(client, [pending]))[0],
);
