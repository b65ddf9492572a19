import { describe, expect, test } from "bun:test";
import { contentTestOf } from "../../../src/recovery/endpoint-filter.ts";
import { resendTargets } from "../../../src/recovery/service.ts";
import type { Endpoint } from "../../../src/store/endpoints.ts";
import type { RoutedEvent } from "../../../src/store/filtered-endpoints.ts";

const GOLD_OVER_100 = { amount: { $gte: 100 }, "headers.x-tier": "gold" };
/** Refused when written since; still stored from before (an unknown operator). */
const UNREADABLE = { amount: { $gtt: 100 } };

const order = (amount: number, tier?: string): RoutedEvent => ({
  type: "shop.order",
  payload: { amount },
  headers: tier === undefined ? {} : { "x-tier": tier },
});
const disabled: RoutedEvent = {
  type: "hookyard.endpoint.disabled",
  payload: { endpoint: { id: "another" } },
  headers: {},
};

describe("contentTestOf", () => {
  test.each([null, undefined])("an endpoint whose filter is %p has no test", (filter) => {
    expect(contentTestOf({ filter })).toBeUndefined();
  });

  test.each<[string, unknown, RoutedEvent, boolean]>([
    ["a payload and header the filter takes", GOLD_OVER_100, order(150, "gold"), true],
    ["a payload below the bound", GOLD_OVER_100, order(99, "gold"), false],
    ["a header of another value", GOLD_OVER_100, order(150, "silver"), false],
    ["no header at all", GOLD_OVER_100, order(150), false],
    ["an empty filter takes every event", {}, order(1), true],
    ["hookyard's own events pass a filter they do not match", GOLD_OVER_100, disabled, true],
    ["a filter that no longer parses takes nothing", UNREADABLE, order(150, "gold"), false],
    ["nor one that is not an object", "amount > 100", order(150, "gold"), false],
    ["hookyard's own events pass even a filter that no longer parses", UNREADABLE, disabled, true],
  ])("%s", (_name, filter, event, taken) => {
    const takes = contentTestOf({ filter });
    expect(takes?.(event)).toBe(taken);
  });
});

describe("resendTargets", () => {
  const at = new Date(Date.UTC(2026, 10, 22));
  const endpoint = (id: string, filter: unknown, enabled = true): Endpoint => ({
    id,
    url: `https://${id}.example/hook`,
    description: "",
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    eventTypes: ["shop.*", "hookyard.*"],
    filter,
    enabled,
    disabledReason: null,
    createdAt: at,
    updatedAt: at,
  });
  const endpoints = [
    endpoint("plain", null),
    endpoint("gold", GOLD_OVER_100),
    endpoint("unreadable", UNREADABLE),
    endpoint("gold-off", GOLD_OVER_100, false),
  ];
  const targets = (event: RoutedEvent) =>
    resendTargets(event, endpoints).map((target) => target.id);

  test("an endpoint with a filter is a target only when its filter takes the event", () => {
    expect(targets(order(150, "gold"))).toEqual(["plain", "gold"]);
    expect(targets(order(150, "silver"))).toEqual(["plain"]);
  });

  test("hookyard's own events go to every enabled endpoint of their type, filtered or not", () => {
    expect(targets(disabled)).toEqual(["plain", "gold", "unreadable"]);
  });
});
