import { afterEach, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { Webhook } from "svix";
import { generateMockEvents, seededRandom } from "../../../../scripts/mock-events.ts";
import { foldEntity } from "../../../../src/ingest/entities/aggregate.ts";
import { validateEntityEvent } from "../../../../src/ingest/entities/model.ts";
import { type EntityEvent, parseEntityEvent } from "../../../../src/ingest/entities/normalize.ts";

const options = { seed: 7, entities: 300, start: new Date("2021-12-20T10:00:00Z") };
const stream = generateMockEvents(2000, options);

/** Every generated event as hookyard would store it; fails the test on the first invalid one. */
function normalized(): EntityEvent[] {
  return stream.map((body) => {
    const result = parseEntityEvent(body);
    if (!result.ok) throw new Error(`${JSON.stringify(body)}: ${JSON.stringify(result.problems)}`);
    return result.event;
  });
}

describe("the mock event generator", () => {
  test("every event passes validateEntityEvent and normalizes to an entity", () => {
    for (const body of stream) expect(validateEntityEvent(body)).toEqual({ ok: true, value: body });
    expect(normalized()).toHaveLength(2000);
  });

  test("an entity is created before it is updated or deleted, and re-created after a delete", () => {
    const live = new Map<string, boolean>();
    for (const event of normalized()) {
      if (event.action === "create") expect(live.get(event.entityId)).not.toBe(true);
      else expect(live.get(event.entityId)).toBe(true);
      live.set(event.entityId, event.action !== "delete");
    }
  });

  test("the mix has creates, mostly updates, a few deletes, and several entity types", () => {
    const count = (action: string) => stream.filter((event) => event.action === action).length;
    expect(count("create")).toBeGreaterThan(250);
    expect(count("update")).toBeGreaterThan(count("create"));
    expect(count("delete")).toBeGreaterThan(0);
    expect(count("delete")).toBeLessThan(stream.length * 0.05);
    const types = new Set(stream.map((event) => event.entity_type));
    expect([...types].sort()).toEqual(["asset_version", "component", "project", "task", "user"]);
    expect(new Set(normalized().map((event) => event.entityId)).size).toBeLessThanOrEqual(300);
  });

  test("an update names exactly the fields it changes in modified_fields, and carries them", () => {
    const state = new Map<string, Record<string, unknown>>();
    for (const event of normalized()) {
      const before = state.get(event.entityId) ?? {};
      if (event.action === "update") {
        expect(event.modifiedFields?.length).toBeGreaterThan(0);
        for (const field of event.modifiedFields ?? []) {
          expect(event.payload).toHaveProperty(field);
          expect(event.payload[field]).not.toEqual(before[field]);
        }
      }
      state.set(
        event.entityId,
        event.action === "create" ? { ...event.payload } : { ...before, ...event.payload },
      );
    }
  });

  test("folding an entity's events gives its latest fields, filed under its own id", () => {
    const byEntity = Map.groupBy(normalized(), (event) => event.entityId);
    for (const [entityId, events] of byEntity) {
      const aggregate = foldEntity(
        events.map((event, sequence) => ({ ...event, receivedAt: event.occurredAt, sequence })),
      );
      expect(aggregate.state.id).toBe(entityId);
      expect(aggregate.deleted).toBe(events.at(-1)?.action === "delete");
      expect(aggregate.version).toBe(events.length);
    }
  });

  test("times never go backwards and are whole seconds in UTC", () => {
    const times = stream.map((event) => event.time);
    for (const time of times) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect([...times].sort()).toEqual(times);
    expect(times[0]).toBe("2021-12-20T10:00:00Z");
  });

  test("references point at generated entities: a task's assignee is one of the users", () => {
    // Long enough for every user of the run to have been created at least once.
    const users = new Set(
      generateMockEvents(20_000, options)
        .filter((e) => e.entity_type === "user" && e.action === "create")
        .map((e) => e.payload.id),
    );
    const assignees = stream.flatMap((e) =>
      e.entity_type === "task" && e.payload.assignee_id ? [e.payload.assignee_id] : [],
    );
    expect(assignees.length).toBeGreaterThan(0);
    for (const assignee of assignees) expect(users.has(assignee)).toBe(true);
  });

  test("the same seed gives the same stream; another seed another", () => {
    expect(generateMockEvents(200, options)).toEqual(stream.slice(0, 200));
    expect(generateMockEvents(200, { ...options, seed: 8 })).not.toEqual(stream.slice(0, 200));
  });

  test("the seeded random numbers stay in [0, 1) and repeat from the seed", () => {
    const a = seededRandom(1);
    const draws = Array.from({ length: 1000 }, () => a.next());
    for (const draw of draws) expect(draw >= 0 && draw < 1).toBe(true);
    expect(seededRandom(1).next()).toBe(draws[0] as number);
    expect(seededRandom(1).uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe("scripts/mock-events.ts", () => {
  const servers: Server<unknown>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.stop(true);
  });

  const run = async (...args: string[]) => {
    const child = Bun.spawn(["bun", "scripts/mock-events.ts", ...args], {
      env: { ...process.env, EVENTS_WEBHOOK_SECRET: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { stdout, stderr, code };
  };

  test("--help prints the usage and exits 0", async () => {
    const { stdout, code } = await run("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("--rate R");
    expect(stdout).toContain("--secret whsec_");
  });

  test("a bad option is a usage error (exit 2)", async () => {
    const { stderr, code } = await run("--count", "many");
    expect(code).toBe(2);
    expect(stderr).toContain('--count: expected a number ≥ 1, got "many"');
  });

  test("posts signed events a Standard Webhooks receiver accepts, and summarises the answers", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const verifier = new Webhook(secret);
    const received: unknown[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const body = await request.text();
        try {
          verifier.verify(body, Object.fromEntries(request.headers));
        } catch {
          return new Response("bad signature", { status: 401 });
        }
        received.push(JSON.parse(body));
        // Every fifth event is refused, to see the errors counted by status.
        return new Response("{}", { status: received.length % 5 === 0 ? 422 : 201 });
      },
    });
    servers.push(server);

    const { stdout, code } = await run(
      ...["--url", server.url.href, "--count", "20", "--rate", "0", "--secret", secret],
      ...["--seed", "5", "--concurrency", "1"],
    );
    // The generator's events in order; only the times differ (the script starts an hour ago).
    const withoutTime = (events: readonly object[]) =>
      events.map((event) => ({ ...event, time: undefined }));
    expect(withoutTime(received as object[])).toEqual(
      withoutTime(generateMockEvents(20, { ...options, seed: 5 })),
    );
    expect(stdout).toContain("20/20 sent, 16 2xx, 4 errors");
    expect(stdout).toContain("422: 4");
    expect(code).toBe(1);
  });
});
