/**
 * The large-event thread (./large-event-thread.ts): a connection of its own to the
 * database file (the last of the worker's argv), writing one event at a time with the
 * statements the serving thread uses (./record-event.ts).
 */
import { Database } from "bun:sqlite";
import type { LargeEventAnswer, LargeEventRequest } from "./large-event-thread.ts";
import { insertEvent, prepareRecordStatements } from "./record-event.ts";

declare const self: Worker;

const sqlite = new Database(process.argv.at(-1) as string, { strict: true });
// Waiting blocks only this thread, so it may wait longer than the serving thread's 250 ms
// for a moment of contention (a `hookyard prune` beside the server).
sqlite.run("pragma busy_timeout = 5000");
sqlite.run("pragma synchronous = normal");
sqlite.run("pragma foreign_keys = on");
const statements = prepareRecordStatements(sqlite);
const record = sqlite.transaction((request: LargeEventRequest) =>
  insertEvent(statements, request.row),
);

self.onmessage = (event: MessageEvent<LargeEventRequest>) => {
  const request = event.data;
  let answer: LargeEventAnswer;
  try {
    answer = { id: request.id, ok: true, outcome: record(request) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    answer = {
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  self.postMessage(answer);
};
