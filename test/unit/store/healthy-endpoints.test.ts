import { describe, expect, test } from "bun:test";
import type { EndpointBatch } from "../../../src/store/health-changes.ts";
import { HealthyEndpoints } from "../../../src/store/pg/healthy-endpoints.ts";

const t0 = Date.parse("2026-11-22T10:00:00.000Z");

function successes(ms: number, statusCode = 200): EndpointBatch {
  const attempt = { deliveryId: `d${ms}`, eventId: `e${ms}`, at: new Date(t0 + ms), statusCode };
  return {
    endpointId: "ep",
    last: attempt,
    firstSuccess: attempt,
    failuresBefore: 0,
    firstFailureBeforeAt: null,
    failuresAfter: 0,
    firstFailureAfterAt: null,
    lastFailure: null,
    gone: null,
  };
}

describe("HealthyEndpoints", () => {
  test("an endpoint never written is sent to the statement", () => {
    expect(new HealthyEndpoints().skips(successes(0))).toBe(false);
  });

  test("successes within a second of a healthy write are left out; with another status, or later, they are not", () => {
    const healthy = new HealthyEndpoints();
    healthy.written(successes(0), 0);
    expect(healthy.skips(successes(999))).toBe(true);
    expect(healthy.skips(successes(999, 204))).toBe(false);
    expect(healthy.skips(successes(1000))).toBe(false);
  });

  test("failures are always sent, and a write with failures forgets the endpoint", () => {
    const healthy = new HealthyEndpoints();
    healthy.written(successes(0), 0);
    expect(healthy.skips({ ...successes(10), failuresAfter: 1 })).toBe(false);
    healthy.written(successes(10), 3);
    expect(healthy.skips(successes(20))).toBe(false);
  });
});
