/**
 * Type filters in the store, on every dialect: a prefix is answered from the list of
 * stored types under it, and by the prefix itself once there are too many types to list.
 */
import { describe, expect, test } from "bun:test";
import { DISTINCT_TYPES_LIMIT } from "../../src/store/event-filter.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { dialects, storeForSuite } from "../support/databases.ts";

const base = Date.parse("2026-11-22T10:00:00.000Z");

function typed(type: string, second: number): NewEvent {
  const at = new Date(base + second * 1000);
  return { source: "trigger", type, occurredAt: at, receivedAt: at, payload: {}, headers: {} };
}

for (const dialect of dialects) {
  describe(`Store type filters (${dialect})`, () => {
    const suite = storeForSuite(dialect);
    const typesOf = async (type: string) => {
      const page = await suite.store.events.list({ type }, { limit: 500 });
      return page.items.map((event) => event.type);
    };

    test("a prefix takes the types under it by dotted segment, case-sensitively", async () => {
      const types = ["pr.opened", "pr.review.added", "prs.other", "PR.closed", "pr"];
      await Promise.all(types.map((type, i) => suite.store.events.record(typed(type, i))));
      expect(await typesOf("pr.*")).toEqual(["pr.review.added", "pr.opened"]);
      expect(await typesOf("pr.review.*")).toEqual(["pr.review.added"]);
      expect(await typesOf("pr")).toEqual(["pr"]);
      expect(await typesOf("*")).toHaveLength(types.length);
    });

    test("with more distinct types than can be listed, a prefix still matches the same", async () => {
      const many = Array.from({ length: DISTINCT_TYPES_LIMIT + 1 }, (_, i) => `bulk.t${i}`);
      await Promise.all(many.map((type, i) => suite.store.events.record(typed(type, 100 + i))));
      await suite.store.events.record(typed("Bulk.upper", 2000));
      await suite.store.events.record(typed("bulky.x", 2001));
      const page = await suite.store.events.list({ type: "bulk.*" }, { limit: 500 });
      expect(page.items).toHaveLength(500);
      expect(page.items.every((event) => event.type.startsWith("bulk."))).toBe(true);
      expect(await typesOf("pr.*")).toEqual(["pr.review.added", "pr.opened"]);
    });
  });
}
