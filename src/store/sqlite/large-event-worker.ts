/**
 * The thread that writes large events to SQLite (../writer-thread.ts): a connection of
 * its own to the database file (the last of the worker's argv), writing one event at a
 * time with the statements the serving thread uses (./record-event.ts).
 */
import { Database } from "bun:sqlite";
import { serveWrites } from "../writer-thread-worker.ts";
import {
  type EventInsert,
  type InsertOutcome,
  insertEvent,
  prepareRecordStatements,
} from "./record-event.ts";

const sqlite = new Database(process.argv.at(-1) as string, { strict: true });
// Waiting blocks only this thread, so it may wait longer than the serving thread's 250 ms
// for a moment of contention (a `hookyard prune` beside the server).
sqlite.run("pragma busy_timeout = 5000");
sqlite.run("pragma synchronous = normal");
sqlite.run("pragma foreign_keys = on");
const statements = prepareRecordStatements(sqlite);
const record = sqlite.transaction((row: EventInsert) => insertEvent(statements, row));

serveWrites<EventInsert, InsertOutcome>((row) => record(row));
