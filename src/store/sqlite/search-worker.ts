/**
 * The text-search thread (./search-thread.ts): a read-only connection to the database
 * file (the last of the worker's argv), answering one search at a time with the same
 * query the store runs on its own thread (listEvents).
 */
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { listEvents } from "./events.ts";
import * as schema from "./schema.ts";
import type { SearchAnswer, SearchRequest } from "./search-thread.ts";

declare const self: Worker;

const sqlite = new Database(process.argv.at(-1) as string, { readonly: true, strict: true });
// A reader waits on nothing in WAL mode but the rare moment the WAL starts over.
sqlite.run("pragma busy_timeout = 250");
// Read through the memory map, as the main connection does, rather than copying pages
// into a cache of its own: a search passes over every page once.
sqlite.run("pragma mmap_size = 268435456");
const db = drizzle({ client: sqlite, schema });

const answer = (message: SearchAnswer) => self.postMessage(message);

self.onmessage = (event: MessageEvent<SearchRequest>) => {
  const { id, filter, page } = event.data;
  try {
    answer({ id, ok: true, page: listEvents(db, filter, page) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    answer({
      id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === "string" ? { code } : {}),
    });
  }
};
