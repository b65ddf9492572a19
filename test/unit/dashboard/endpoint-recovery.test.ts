import { describe, expect, test } from "bun:test";
import {
  describeDeliveries,
  describeSuccessRate,
} from "../../../src/dashboard/pages/endpoint-health-view.tsx";
import { type EndpointRow, failingFirst } from "../../../src/dashboard/pages/endpoint-list.tsx";
import { describeTestOutcome, outcomeNotice } from "../../../src/dashboard/pages/endpoint-query.ts";
import {
  defaultWindowValues,
  parseFormTime,
  readTestForm,
  readWindowForm,
} from "../../../src/dashboard/pages/endpoint-recovery-form.ts";
import { noHealth } from "../../../src/endpoint-health/service.ts";
import type { Endpoint } from "../../../src/store/endpoints.ts";

describe("a recovery window typed into the form", () => {
  test.each([
    ["2026-11-22T10:00", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T10:00:30", "2026-11-22T10:00:30.000Z"],
    ["2026-11-22T10:00:30.25", "2026-11-22T10:00:30.250Z"],
    ["2026-11-22T12:00:00+02:00", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z"],
  ])("%s is read as UTC: %s", (typed, iso) => {
    expect(parseFormTime(typed)?.toISOString()).toBe(iso);
  });

  test.each([["2026-02-30T10:00"], ["2026-11-22T24:30"], ["2026-11-22"], ["yesterday"], [""]])(
    "%j is not a time",
    (typed) => {
      expect(parseFormTime(typed)).toBeUndefined();
    },
  );

  test("starts 24 hours back, to the minute, with no end", () => {
    expect(defaultWindowValues(new Date("2026-11-22T10:15:42Z"))).toEqual({
      since: "2026-11-21T10:15",
      until: "",
    });
  });

  test("names each bad field and keeps what was typed", () => {
    expect(readWindowForm({ since: " nope ", until: "2026-11-22T10:00" })).toEqual({
      ok: false,
      values: { since: "nope", until: "2026-11-22T10:00" },
      problems: { since: "expected a UTC time such as 2026-11-22T10:00 (or RFC 3339)" },
    });
    expect(readWindowForm({})).toMatchObject({
      ok: false,
      problems: { since: expect.any(String) },
    });
    expect(readWindowForm({ since: "2026-11-22T10:00", until: "2026-11-22T09:59" })).toMatchObject({
      ok: false,
      problems: { until: "must not be before since" },
    });
  });

  test("an empty until means no end", () => {
    const form = readWindowForm({ since: "2026-11-22T10:00", until: "" });
    expect(form.ok && form.window).toEqual({ since: new Date("2026-11-22T10:00:00Z") });
  });
});

describe("a test event's type", () => {
  test("defaults to hookyard.test and refuses hookyard's own others", () => {
    expect(readTestForm({ event_type: " " })).toEqual({ ok: true, eventType: "hookyard.test" });
    expect(readTestForm({ event_type: "hookyard.endpoint.disabled" })).toMatchObject({
      ok: false,
      typed: "hookyard.endpoint.disabled",
    });
  });
});

describe("what the endpoint page says after an action", () => {
  test("a recover or a replay says how many it queued", () => {
    expect(outcomeNotice("recovered:3")?.message).toStartWith("Queued 3 deliveries:");
    expect(outcomeNotice("replayed:1")?.message).toStartWith("Queued 1 delivery:");
  });

  test.each([["recovered:many"], ["saved:3"], ["constructor:1"], ["constructor"], ["tested"]])(
    "%j says nothing",
    (notice) => {
      expect(outcomeNotice(notice)).toBeUndefined();
    },
  );

  test("a test's outcome: delivered, or failed with its error", () => {
    expect(describeTestOutcome(true, { statusCode: 204, durationMs: 12, error: null })).toEqual({
      tone: "ok",
      message: "Test event delivered: HTTP 204 in 12 ms.",
    });
    expect(
      describeTestOutcome(false, { statusCode: null, durationMs: 3, error: "connection refused" }),
    ).toEqual({
      tone: "bad",
      message: "Test event failed: no response after 3 ms: connection refused.",
    });
  });
});

describe("endpoint health in words", () => {
  test("a rate as a percentage, a dash when nothing was attempted", () => {
    expect(describeSuccessRate(0.9651)).toBe("96.5 %");
    expect(describeSuccessRate(null)).toBe("—");
  });

  test("the outcomes that happened", () => {
    expect(describeDeliveries({ delivered: 24, failed: 1, pending: 0 })).toBe(
      "25 deliveries: 24 delivered, 1 failed",
    );
    expect(describeDeliveries({ delivered: 0, failed: 0, pending: 0 })).toBe("no deliveries");
  });

  test("failing endpoints go first, the others keep their order", () => {
    const row = (id: string, state: "healthy" | "failing" | "disabled"): EndpointRow => ({
      endpoint: { id } as Endpoint,
      health: { ...noHealth({ enabled: state !== "disabled" }), state },
    });
    const rows = [
      row("a", "healthy"),
      row("b", "failing"),
      row("c", "disabled"),
      row("d", "failing"),
    ];
    expect(failingFirst(rows).map((r) => r.endpoint.id)).toEqual(["b", "d", "a", "c"]);
  });
});
