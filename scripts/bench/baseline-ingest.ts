/**
 * The baseline for the ingest benchmarks: the least a service can do per delivery,
 * a bare Bun.serve that parses the JSON body and inserts it as one row into the same kind
 * of database. No signature check, no dedupe, no routing, no logs.
 *   bun scripts/bench/baseline-ingest.ts PORT sqlite:PATH|postgres://…
 */
import { openBaselineStore } from "./baseline-store.ts";

const [portText = "0", url = "sqlite::memory:"] = process.argv.slice(2);

const { insert } = await openBaselineStore(url);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(portText),
  async fetch(request) {
    if (request.method !== "POST") return new Response("ok");
    const payload = await request.json();
    await insert(JSON.stringify(payload));
    return new Response('{"ok":true}', {
      status: 201,
      headers: { "content-type": "application/json" },
    });
  },
});
console.log(`baseline listening on ${server.port}`);
