import { describe, expect, test } from "bun:test";
import { renderSync } from "../../../src/dashboard/html.ts";
import {
  AttemptList,
  attemptCounts,
  describeAttemptCount,
  type ShownAttempt,
} from "../../../src/dashboard/pages/delivery-attempts.tsx";
import { readDeliverySnapshot } from "../../../src/dashboard/pages/delivery-snapshot.ts";
import type { Delivery, DeliveryAttempt } from "../../../src/store/deliveries.ts";
import { parseHtml } from "./parse-html.ts";

const at = (second: number) => new Date(Date.UTC(2026, 10, 20, 8, 0, second));

function attempt(n: number, fields: Partial<ShownAttempt> = {}): ShownAttempt {
  return {
    id: `a${n}`,
    deliveryId: "d1",
    attemptedAt: at(n),
    statusCode: 503,
    durationMs: 12,
    error: null,
    responseBody: null,
    responseHeaders: null,
    ...fields,
  } as ShownAttempt;
}

function delivery(fields: Partial<Delivery> = {}): Delivery {
  return {
    id: "d1",
    eventId: "e1",
    endpointId: "p1",
    status: "pending",
    attemptCount: 0,
    nextAttemptAt: at(59),
    lastStatusCode: null,
    lastError: null,
    createdAt: at(0),
    updatedAt: at(0),
    deliveredAt: null,
    ...fields,
  };
}

describe("a delivery's attempt count", () => {
  test.each([
    ["never redelivered", 3, 3, "3"],
    ["redelivered after 3, 2 since", 2, 5, "5 (2 since it was last redelivered by hand)"],
    ["redelivered, nothing since", 0, 4, "4 (0 since it was last redelivered by hand)"],
    ["no attempt yet", 0, 0, "0"],
  ])("%s: %i counted, %i listed → %s", (_name, attemptCount, listed, expected) => {
    const counts = attemptCounts({ attemptCount }, Array(listed).fill(null));
    expect(counts.total).toBe(listed);
    expect(describeAttemptCount(counts)).toBe(expected);
  });

  test("never claims more attempts since the redelivery than are listed", () => {
    expect(attemptCounts({ attemptCount: 9 }, [1, 2])).toEqual({ total: 2, sinceRedelivery: 2 });
  });

  test("the list numbers every attempt and shows where the redelivery came", async () => {
    const attempts = [1, 2, 3].map((n) => attempt(n));
    const html = renderSync(
      <AttemptList attempts={attempts} counts={attemptCounts({ attemptCount: 1 }, attempts)} />,
    );
    const parsed = await parseHtml(html);
    expect(parsed.elements.filter((e) => e.tag === "li").map((e) => e.attributes.id)).toEqual([
      "attempt-1",
      "attempt-2",
      "attempt-3",
    ]);
    expect(parsed.elements.filter((e) => e.tag === "ol").map((e) => e.attributes.start)).toEqual([
      "1",
      "3",
    ]);
    expect(parsed.text).toContain("Before it was last redelivered by hand");
  });

  test("an attempt shows the request and response headers where they were kept, and says so where not", async () => {
    const kept = attempt(1, {
      statusCode: 200,
      requestHeaders: { "webhook-id": "msg_1" },
      requestBody: '{"type":"x"}',
      responseHeaders: { "x-receiver": "<b>r</b>" },
      responseBody: "ok",
    });
    const bare = attempt(2, { statusCode: null, error: "connection refused" });
    const parsed = await parseHtml(
      renderSync(
        <AttemptList attempts={[kept, bare]} counts={attemptCounts({ attemptCount: 2 }, [1, 2])} />,
      ),
    );
    expect(parsed.text).toContain("webhook-id: msg_1");
    expect(parsed.text).toContain('{"type":"x"}');
    expect(parsed.text).toContain("x-receiver: <b>r</b>");
    expect(parsed.tags).not.toContain("b");
    expect(parsed.text).toContain("hookyard did not keep the request of this attempt.");
    expect(parsed.text).toContain("No response came back.");
    expect(parsed.text).toContain("connection refused");
  });
});

describe("readDeliverySnapshot", () => {
  test("reads again when an attempt was recorded between the delivery and its attempts", async () => {
    const before = delivery({ attemptCount: 1, updatedAt: at(1) });
    const after = delivery({ attemptCount: 2, updatedAt: at(2), lastStatusCode: 200 });
    const reads = [before, after, after];
    const lists: DeliveryAttempt[][] = [[attempt(1)], [attempt(1), attempt(2)]];
    const snapshot = await readDeliverySnapshot(
      {
        get: async () => reads.shift(),
        attempts: async () => lists.shift() ?? [],
      },
      "d1",
    );
    expect(snapshot?.delivery).toBe(after);
    expect(snapshot?.attempts).toHaveLength(2);
  });

  test("is undefined for a delivery that is not there", async () => {
    const store = { get: async () => undefined, attempts: async () => [] };
    expect(await readDeliverySnapshot(store, "d1")).toBeUndefined();
  });
});
