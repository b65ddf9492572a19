import { describe, expect, test } from "bun:test";
import type { FinishedAttempt } from "../../../src/store/deliveries.ts";
import {
  applyBatch,
  batchesByEndpoint,
  type HealthState,
} from "../../../src/store/health-changes.ts";

const t0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (ms: number) => new Date(t0 + ms);

function attempt(endpointId: string, ms: number, ok: boolean, gone = false): FinishedAttempt {
  return {
    deliveryId: `d${ms}`,
    endpointId,
    eventId: `e${ms}`,
    eventType: "task.update",
    holder: "w",
    attempt: {
      attemptedAt: at(ms),
      statusCode: ok ? 200 : gone ? 410 : 500,
      durationMs: 1,
      error: ok ? null : "HTTP 500",
      responseBody: "",
      responseHeaders: {},
    },
    outcome: ok ? { status: "delivered" } : { status: "failed" },
    ...(gone ? { disableEndpoint: "endpoint answered 410 Gone" } : {}),
  };
}

const healthy: HealthState = {
  enabled: true,
  consecutiveFailures: 0,
  failingSince: null,
  lastAttemptAt: null,
  lastStatusCode: null,
};
const endpoint = { id: "ep", url: "https://example.com/" };

/** The share of the batch of its one endpoint. */
function one(attempts: FinishedAttempt[]) {
  const [batch] = batchesByEndpoint(attempts);
  if (!batch) throw new Error("no batch");
  return batch;
}

describe("batchesByEndpoint", () => {
  test("splits a batch by endpoint and orders each share by attempt time", () => {
    const [a, b] = batchesByEndpoint([
      attempt("a", 30, false),
      attempt("b", 5, true),
      attempt("a", 10, false),
      attempt("a", 20, true),
    ]);
    expect(a).toMatchObject({
      endpointId: "a",
      last: { at: at(30), statusCode: 500 },
      firstSuccess: { deliveryId: "d20" },
      failuresBefore: 1,
      firstFailureBeforeAt: at(10),
      failuresAfter: 1,
      firstFailureAfterAt: at(30),
      lastFailure: { deliveryId: "d30" },
    });
    expect(b).toMatchObject({ endpointId: "b", failuresBefore: 0, failuresAfter: 0 });
  });
});

describe("applyBatch", () => {
  test("failures add to the streak, which keeps its first time", () => {
    const previous = { ...healthy, consecutiveFailures: 2, failingSince: at(-1000) };
    const batch = one([attempt("ep", 0, false), attempt("ep", 1, false)]);
    const change = applyBatch(endpoint, previous, batch, {});
    expect(change.next).toMatchObject({ consecutiveFailures: 4, failingSince: at(-1000) });
    expect(change.events).toEqual([]);
    expect(change.write).toBe(true);
  });

  test("a success with nothing failing before it announces nothing", () => {
    const batch = one([attempt("ep", 0, true)]);
    const change = applyBatch(endpoint, healthy, batch, {});
    expect(change.recovered).toBeNull();
    expect(change.events).toEqual([]);
  });

  test("a success ending a streak is a recovery, with the streak's size and start", () => {
    const previous = { ...healthy, consecutiveFailures: 7, failingSince: at(-5000) };
    const batch = one([attempt("ep", 0, true)]);
    const change = applyBatch(endpoint, previous, batch, {});
    expect(change.recovered).toMatchObject({ failedAttempts: 7, by: { deliveryId: "d0" } });
    expect(change.events[0]?.payload).toMatchObject({ failed_attempts: 7 });
    expect(change.next).toMatchObject({ consecutiveFailures: 0, failingSince: null });
  });

  test("an endpoint already disabled is not disabled again by a 410", () => {
    const batch = one([attempt("ep", 0, false, true)]);
    const change = applyBatch(endpoint, { ...healthy, enabled: false }, batch, {});
    expect(change.disabled).toBeNull();
    expect(change.events).toEqual([]);
  });

  test("auto-disable counts from the streak's first failure to the failure being recorded", () => {
    const previous = { ...healthy, consecutiveFailures: 1, failingSince: at(0) };
    const policy = { disableAfterMs: 1000 };
    const early = one([attempt("ep", 999, false)]);
    expect(applyBatch(endpoint, previous, early, policy).disabled).toBeNull();
    const due = one([attempt("ep", 1000, false)]);
    expect(applyBatch(endpoint, previous, due, policy).disabled?.reason).toBe(
      `every delivery failed for 1s (since ${at(0).toISOString()})`,
    );
  });

  test("an older batch recorded late does not move the last attempt back", () => {
    const previous = { ...healthy, lastAttemptAt: at(5000), lastStatusCode: 204 };
    const batch = one([attempt("ep", 0, false)]);
    expect(applyBatch(endpoint, previous, batch, {}).next).toMatchObject({
      lastAttemptAt: at(5000),
      lastStatusCode: 204,
    });
  });
});
