/**
 * The compiled binary, as a user runs it: copied alone into an empty directory, with no
 * node_modules, no migrations folder and no bunfig.toml beside it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import pkg from "../../package.json" with { type: "json" };
import { SETTINGS } from "../../src/config.ts";
import { pgMigrations } from "../../src/store/migrations.gen.ts";
import { postgresUrl } from "../support/databases.ts";
import { freePort } from "../support/processes.ts";

const root = join(import.meta.dir, "..", "..");
let workdir: string;
let binary: string;

beforeAll(async () => {
  const build = Bun.spawn(["bun", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if ((await build.exited) !== 0) throw new Error(await new Response(build.stderr).text());
  workdir = mkdtempSync(join(tmpdir(), "hookyard-bin-"));
  binary = join(workdir, "hookyard");
  copyFileSync(join(root, "dist", "hookyard"), binary);
}, 120_000);

afterAll(() => {
  rmSync(workdir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = Bun.spawn([binary, ...args], {
    cwd: workdir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

async function waitUntilReady(url: string, child: { exitCode: number | null }): Promise<Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hookyard exited with ${child.exitCode}`);
    try {
      return await fetch(url);
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await Bun.sleep(50); // polling a port that is not open yet: no event to await
    }
  }
}

/**
 * Starts `hookyard serve`, checks /healthz and /readyz, runs `whileServing` against it,
 * stops it with SIGTERM.
 */
async function serveAndStop(
  env: Record<string, string>,
  whileServing: (url: string) => Promise<void> = async () => {},
) {
  const port = await freePort();
  const child = Bun.spawn([binary], {
    cwd: workdir,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const health = await waitUntilReady(`http://127.0.0.1:${port}/healthz`, child);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  await whileServing(`http://127.0.0.1:${port}`);
  child.kill("SIGTERM");
  const code = await child.exited;
  const log = await new Response(child.stdout).text();
  return { health, ready, code, log };
}

describe("the hookyard binary", () => {
  test("--version prints package.json's version", async () => {
    expect(await run(["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("-V is --version", async () => {
    expect(await run(["-V"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("--help prints usage, ending with where to read more in the binary itself", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("hookyard prune [--older-than 7d]");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(
      'Run "hookyard help settings" for each setting\'s default and meaning.',
    );
    expect(result.stdout).not.toContain("README");
  });

  test("help settings names every setting with its default", async () => {
    const result = await run(["help", "settings"]);
    expect(result.code).toBe(0);
    for (const name of Object.keys(SETTINGS)) expect(result.stdout).toContain(`  ${name} `);
    expect(result.stdout).toContain("default: 7d");
  });

  test("help on an unknown topic exits 2 naming the topics", async () => {
    const result = await run(["help", "routes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no help on "routes"; topics: settings');
  });

  test.each([
    ["PORT", "http", 'PORT: expected an integer 1-65535, got "http"'],
    ["DATABASE_URL", "mysql://x", "DATABASE_URL: expected postgres://"],
    [
      "RETENTION",
      "forever",
      'RETENTION: expected a duration such as 250ms, 30s, 15m, 2h or 7d, got "forever"',
    ],
  ])("a bad setting %s=%s exits 2 with one line naming it", async (name, value, message) => {
    const result = await run([], { [name]: value });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toStartWith(message);
  });

  test("a DATABASE_URL where something other than PostgreSQL answers exits 2 at once, naming it", async () => {
    const http = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    try {
      const result = await run(["migrate"], {
        DATABASE_URL: `postgres://hookyard:pw@127.0.0.1:${http.port}/hookyard`,
      });
      expect(result).toMatchObject({ code: 2, stdout: "" });
      expect(result.stderr).toBe(
        `DATABASE_URL: 127.0.0.1:${http.port} answered, but not as PostgreSQL (it sent "HTTP/1.1 400 Bad Request"); is that PostgreSQL's host and port?\n`,
      );
    } finally {
      http.stop(true);
    }
  });

  test("an unknown command or option is bad usage: exit 2", async () => {
    expect((await run(["bogus"])).code).toBe(2);
    expect((await run(["--frobnicate"])).code).toBe(2);
    expect((await run(["serve", "--older-than", "1d"])).code).toBe(2);
  });

  test("--config reads a TOML file and a bad key in it exits 2", async () => {
    await Bun.write(join(workdir, "bad.toml"), "prot = 1\n");
    const result = await run(["migrate", "--config", "bad.toml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown setting "prot"');
    await Bun.write(join(workdir, "good.toml"), 'database_url = "sqlite:./from-config/hy.db"\n');
    expect((await run(["migrate", "--config", "good.toml"])).code).toBe(0);
    expect(existsSync(join(workdir, "from-config", "hy.db"))).toBe(true);
  });

  test("a relative SQLite path in a --config file elsewhere is relative to the working directory, sqlite:// or not", async () => {
    const elsewhere = join(workdir, "etc");
    await Bun.write(join(elsewhere, "hy.toml"), 'database_url = "sqlite://rel/hy.db"\n');
    expect((await run(["migrate", "--config", join(elsewhere, "hy.toml")])).code).toBe(0);
    expect(existsSync(join(workdir, "rel", "hy.db"))).toBe(true);
    expect(existsSync(join(elsewhere, "rel"))).toBe(false);
    expect(existsSync("/rel/hy.db")).toBe(false);
  });

  test("serves on the default SQLite from an empty directory, creating and migrating it, and exits 0 on SIGTERM", async () => {
    let search: Response | undefined;
    const { health, ready, code, log } = await serveAndStop({ LOG_LEVEL: "debug" }, async (url) => {
      search = await fetch(`${url}/events?q=anything`);
    });
    expect(await health.json()).toEqual({ status: "ok" });
    expect(await ready.json()).toEqual({ status: "ready" });
    expect(code).toBe(0);
    // The checkpoint thread's script is bundled as an entrypoint of its own.
    expect(log).toContain('"msg":"sqlite: WAL checkpoints run on their own thread"');
    expect(log).not.toContain("checkpoint thread stopped");
    // So is the text-search thread's.
    expect(search?.status).toBe(200);
    expect(await search?.json()).toEqual({ events: [], next_cursor: null });
    expect(existsSync(join(workdir, "data", "hookyard.db"))).toBe(true);
    expect(log).toContain('"msg":"migrations applied"');
    expect(log).toContain('"msg":"stopped"');
    const again = await run(["migrate"]);
    expect(again).toMatchObject({ code: 0, stdout: "the database is up to date\n" });
  });

  test("prune deletes what is past retention once and says what it deleted", async () => {
    const result = await run(["prune", "--older-than", "1h"], { LOG_LEVEL: "error" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^deleted 0 event\(s\) and 0 relay message\(s\) received before \d{4}-/,
    );
    expect((await run(["prune", "--older-than", "soon"])).code).toBe(2);
  });

  test.skipIf(!postgresUrl)(
    "migrates an empty PostgreSQL database, three times at once, and serves it",
    async () => {
      const name = `hy_bin_${Date.now()}`;
      const admin = postgres(postgresUrl as string, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(postgresUrl as string);
      url.pathname = `/${name}`;
      try {
        const env = { DATABASE_URL: url.toString() };
        // Three instances starting at the same moment: the advisory lock lets one apply.
        const runs = await Promise.all([1, 2, 3].map(() => run(["migrate"], env)));
        expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
        expect(runs.map((r) => r.stdout).sort()).toEqual([
          `applied ${pgMigrations.length} migration(s): ${pgMigrations.map((m) => m.tag).join(", ")}\n`,
          "the database is up to date\n",
          "the database is up to date\n",
        ]);
        // Large payloads and response bodies are compressed with lz4 where the server has it.
        const migrated = postgres(url.toString(), { max: 1, onnotice: () => {} });
        const [lz4] = await migrated`select count(*)::int as n from pg_settings
          where name = 'default_toast_compression' and 'lz4' = any(enumvals)`;
        const compressed = await migrated`select attrelid::regclass::text as "table", attname
          from pg_attribute where attcompression = 'l' order by 1, 2`;
        // Room on each page of deliveries for its rows' updates (HOT updates).
        const [deliveries] = await migrated`select reloptions from pg_class
          where oid = 'deliveries'::regclass`;
        await migrated.end();
        expect(deliveries?.reloptions).toEqual(["fillfactor=70"]);
        expect(compressed.map((c) => `${c.table}.${c.attname}`)).toEqual(
          lz4?.n === 1
            ? [
                "deliveries.last_response_body",
                "delivery_attempts.response_body",
                "events.body",
                "events.payload",
                "relay_messages.payload",
              ]
            : [],
        );
        const { ready, code } = await serveAndStop(env);
        expect(await ready.json()).toEqual({ status: "ready" });
        expect(code).toBe(0);
      } finally {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
  );
});
