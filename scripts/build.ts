/**
 * `bun run build`: writes dist/hookyard, one self-contained executable with the
 * migrations, dashboard assets and OpenAPI UI embedded.
 * - whitespace and syntax minification only: full `--minify` renames identifiers and
 *   breaks Elysia's ahead-of-time compilation;
 * - no bunfig/.env autoload, or the binary would read the working directory's files;
 * - bytecode (ESM, for main.ts's top-level await): the modules are parsed when built, not
 *   at every start, which brings `hookyard serve` to /healthz from ~210 ms to ~140 ms on
 *   SQLite (2-core AMD EPYC, `bun scripts/bench/startup.ts`).
 * `--target` (e.g. bun-linux-arm64) may be passed through to cross-compile.
 */
import { $ } from "bun";

const root = new URL("..", import.meta.url).pathname;
const extra = process.argv.slice(2);
const outfile = `${root}dist/hookyard`;

// The threads' scripts (WAL checkpoints, text searches, large events and large JSON
// bodies) are entrypoints of their own: Bun bundles a worker's file into the executable
// only when told to.
const workers = [
  "store/sqlite/checkpoint-worker.ts",
  "store/sqlite/search-worker.ts",
  "store/sqlite/large-event-worker.ts",
  "store/pg/large-event-worker.ts",
  "http/json-worker.ts",
].map((path) => `${root}src/${path}`);
await $`bun build ${`${root}src/main.ts`} ${workers} --compile --bytecode --format esm --minify-whitespace --minify-syntax --no-compile-autoload-bunfig --no-compile-autoload-dotenv --outfile ${outfile} ${extra}`.cwd(
  root,
);
console.log(`built ${outfile}`);
