import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Delivery,
  defaultBranchPush,
  githubDelivery,
  issuesExample,
  pingExample,
} from "../fixtures/github/push.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { dialects } from "../support/databases.ts";

const SECRET = "gh-webhook-secret";

for (const dialect of dialects) {
  describe(`POST /webhooks/github (${dialect})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(dialect, {
        settings: { GITHUB_WEBHOOK_SECRET: `old-secret,${SECRET}` },
      });
    });
    afterAll(() => app.stop());

    const send = (delivery: Delivery) =>
      app.request("/webhooks/github", {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
      });
    const stored = async () =>
      (await app.store.events.list({ source: "github" }, { limit: 500 })).items.length;
    const changeCount = async () => (await app.store.changes.list({ limit: 500 })).items.length;

    test("a signed push to the default branch is stored and becomes one change: 201 with its id", async () => {
      const payload = defaultBranchPush();
      const response = await send(githubDelivery({ event: "push", payload, secret: SECRET }));
      expect(response.status).toBe(201);
      const { change_id } = await response.json();
      expect(change_id).toBeNumber();
      const changes = await (await app.request("/changes?limit=1")).json();
      expect(changes.changes[0]).toEqual({
        id: change_id,
        data: {
          ts: "2026-11-22T10:15:00Z",
          source: "github",
          change_type: "push",
          data: {
            repository: "octo/app",
            branch: "main",
            commit: payload.after,
            author: "Mona Lisa <mona@example.com>",
            message: "Fix the flaky test",
          },
        },
      });
      const events = await (await app.request("/events?source=github&limit=1")).json();
      expect(events.events[0]).toMatchObject({ type: "github.push", entity_id: "octo/app" });
    });

    test("a form-encoded push is read the same way", async () => {
      const response = await send(
        githubDelivery({
          event: "push",
          payload: defaultBranchPush(),
          secret: SECRET,
          contentType: "form",
        }),
      );
      expect(response.status).toBe(201);
    });

    test("the second secret of a rotation verifies too", async () => {
      const response = await send(
        githubDelivery({ event: "push", payload: defaultBranchPush(), secret: "old-secret" }),
      );
      expect(response.status).toBe(201);
    });

    test("a delivery id seen before answers duplicate and stores nothing twice", async () => {
      const delivery = githubDelivery({
        event: "push",
        payload: defaultBranchPush(),
        secret: SECRET,
      });
      expect((await send(delivery)).status).toBe(201);
      const [events, changes] = [await stored(), await changeCount()];
      const again = await send(delivery);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ duplicate: true });
      expect([await stored(), await changeCount()]).toEqual([events, changes]);
    });

    test("50 concurrent copies of one delivery store one event and one change", async () => {
      const delivery = githubDelivery({
        event: "push",
        payload: defaultBranchPush(),
        secret: SECRET,
      });
      const [events, changes] = [await stored(), await changeCount()];
      const statuses = (await Promise.all(Array.from({ length: 50 }, () => send(delivery)))).map(
        (r) => r.status,
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(49);
      expect([await stored(), await changeCount()]).toEqual([events + 1, changes + 1]);
    });

    test("ping answers ok with GitHub's zen", async () => {
      const ping = pingExample();
      const response = await send(githubDelivery({ event: "ping", payload: ping, secret: SECRET }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, zen: ping.zen });
    });

    test.each([
      ["a push to another branch", { ref: "refs/heads/feature" }, "not the default branch"],
      ["a tag push", { ref: "refs/tags/main" }, "tag push"],
      ["a deleted branch", { deleted: true, head_commit: null, commits: [] }, "branch deleted"],
    ])(
      "%s is stored as an event but is no change: 202 with the reason",
      async (_name, overrides, reason) => {
        const [events, changes] = [await stored(), await changeCount()];
        const response = await send(
          githubDelivery({ event: "push", payload: defaultBranchPush(overrides), secret: SECRET }),
        );
        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ ignored: reason });
        expect([await stored(), await changeCount()]).toEqual([events + 1, changes]);
      },
    );

    test("an event that is not a push is stored and ignored", async () => {
      const response = await send(
        githubDelivery({ event: "issues", payload: issuesExample(), secret: SECRET }),
      );
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ ignored: "not a push" });
      const events = await (await app.request("/events?type=github.issues")).json();
      expect(events.events).toHaveLength(1);
    });

    test("GET /metrics counts GitHub deliveries by outcome", async () => {
      await send(githubDelivery({ event: "push", payload: defaultBranchPush() }));
      const text = await (await app.request("/metrics")).text();
      expect(text).toMatch(
        /hookyard_events_ingested_total\{outcome="stored",source="github"\} [1-9]/,
      );
      expect(text).toMatch(
        /hookyard_events_ingested_total\{outcome="duplicate",source="github"\} [1-9]/,
      );
      expect(text).toMatch(
        /hookyard_events_ingested_total\{outcome="unauthorized",source="github"\} [1-9]/,
      );
    });

    describe("bad input: a clear error and nothing stored", () => {
      const refused = async (delivery: Delivery, status: number, error: string) => {
        const [events, changes] = [await stored(), await changeCount()];
        const response = await send(delivery);
        expect(response.status).toBe(status);
        const body = await response.json();
        expect(body.error).toContain(error);
        expect(Array.isArray(body.details)).toBe(true);
        expect([await stored(), await changeCount()]).toEqual([events, changes]);
      };
      const push = (overrides: Record<string, unknown> = {}) =>
        githubDelivery({ event: "push", payload: defaultBranchPush(overrides), secret: SECRET });

      test("no signature → 401", async () => {
        await refused(
          githubDelivery({ event: "push", payload: defaultBranchPush() }),
          401,
          "missing signature",
        );
      });

      test("a wrong signature → 401", async () => {
        await refused(
          githubDelivery({ event: "push", payload: defaultBranchPush(), secret: "not-the-secret" }),
          401,
          "signature mismatch",
        );
      });

      test("a body altered after signing → 401", async () => {
        const delivery = push();
        await refused(
          { ...delivery, body: delivery.body.replace("Fix", "Fux") },
          401,
          "signature mismatch",
        );
      });

      test("no X-GitHub-Event → 400", async () => {
        const delivery = push();
        const { "x-github-event": _, ...headers } = delivery.headers;
        await refused({ ...delivery, headers }, 400, "X-GitHub-Event");
      });

      test("a body that is not JSON → 400", async () => {
        const delivery = githubDelivery({ event: "push", payload: {}, secret: SECRET });
        const body = "this is not json";
        const { signGitHubPayload } = await import("../../src/ingest/github/signature.ts");
        await refused(
          {
            headers: {
              ...delivery.headers,
              "x-hub-signature-256": signGitHubPayload(SECRET, body),
            },
            body,
          },
          400,
          "not valid JSON",
        );
      });

      test("a truncated body → 400", async () => {
        const delivery = push();
        const body = delivery.body.slice(0, delivery.body.length / 2);
        const { signGitHubPayload } = await import("../../src/ingest/github/signature.ts");
        await refused(
          {
            headers: {
              ...delivery.headers,
              "x-hub-signature-256": signGitHubPayload(SECRET, body),
            },
            body,
          },
          400,
          "not valid JSON",
        );
      });

      test("a ref that is not a string → 422", async () => {
        await refused(push({ ref: 7 }), 422, "invalid push payload");
      });

      test("a push without repository → 422", async () => {
        await refused(push({ repository: undefined }), 422, "invalid push payload");
      });

      test("a default_branch of null → 422", async () => {
        const payload = defaultBranchPush();
        (payload.repository as Record<string, unknown>).default_branch = null;
        await refused(
          githubDelivery({ event: "push", payload, secret: SECRET }),
          422,
          "invalid push payload",
        );
      });

      test("a repository name longer than any entity id → 422, for a push and any other event", async () => {
        // 1 MB of one letter: PostgreSQL refused it as an index key, and the sender got a 500.
        for (const [event, payload] of [
          ["push", defaultBranchPush()],
          ["issues", issuesExample()],
        ] as const) {
          (payload.repository as Record<string, unknown>).full_name = "A".repeat(1024 * 1024);
          await refused(
            githubDelivery({ event, payload, secret: SECRET }),
            422,
            "invalid GitHub payload",
          );
        }
        const payload = defaultBranchPush();
        (payload.repository as Record<string, unknown>).full_name = `octo/${"r".repeat(251)}`;
        const longest = await send(githubDelivery({ event: "push", payload, secret: SECRET }));
        expect(longest.status).toBe(201);
      });

      test("a content type GitHub does not send → 415", async () => {
        const delivery = push();
        await refused(
          { ...delivery, headers: { ...delivery.headers, "content-type": "text/plain" } },
          415,
          "unsupported content type",
        );
      });

      test("a 30 MB body → 413", async () => {
        const delivery = push();
        await refused({ ...delivery, body: " ".repeat(30 * 1024 * 1024) }, 413, "MAX_BODY_SIZE");
      });
    });
  });
}

describe("POST /webhooks/github without GITHUB_WEBHOOK_SECRET", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite");
  });
  afterAll(() => app.stop());

  test("accepts unsigned deliveries", async () => {
    const delivery = githubDelivery({ event: "push", payload: defaultBranchPush() });
    const response = await app.request("/webhooks/github", {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status).toBe(201);
  });
});

describe("GET /changes", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite", { settings: { ADMIN_TOKEN: "tok" } });
    for (let i = 0; i < 5; i++)
      await app.store.events.record(
        {
          source: "github",
          type: "github.push",
          occurredAt: new Date(),
          receivedAt: new Date(),
          payload: {},
          headers: {},
        },
        { change: { n: i } },
      );
  });
  afterAll(() => app.stop());

  test("pages newest first with next_cursor, behind the admin token", async () => {
    expect((await app.request("/changes")).status).toBe(401);
    const auth = { headers: { authorization: "Bearer tok" } };
    const first = await (await app.request("/changes?limit=3", auth)).json();
    expect(first.changes.map((c: { data: { n: number } }) => c.data.n)).toEqual([4, 3, 2]);
    const second = await (
      await app.request(`/changes?limit=3&cursor=${first.next_cursor}`, auth)
    ).json();
    expect(second.changes.map((c: { data: { n: number } }) => c.data.n)).toEqual([1, 0]);
    expect(second.next_cursor).toBeNull();
  });

  test("a bad cursor is a 422", async () => {
    const response = await app.request("/changes?cursor=xyz", {
      headers: { authorization: "Bearer tok" },
    });
    expect(response.status).toBe(422);
  });
});
