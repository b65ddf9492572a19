import { describe, expect, test } from "bun:test";
import { Counter } from "../../../src/ops/metrics.ts";

describe("Counter", () => {
  test("renders label values escaped as the exposition format requires", () => {
    const counter = new Counter("hookyard_test_total", "a test");
    counter.inc({ path: 'a\\b "c"\nd' });
    counter.inc({ path: "plain" }, 2);
    expect(counter.render()).toEqual([
      "# HELP hookyard_test_total a test",
      "# TYPE hookyard_test_total counter",
      'hookyard_test_total{path="a\\\\b \\"c\\"\\nd"} 1',
      'hookyard_test_total{path="plain"} 2',
    ]);
  });

  test("one series per label set, whatever order the labels come in", () => {
    const counter = new Counter("hookyard_test_total", "a test");
    counter.inc({ source: "github", outcome: "stored" });
    counter.inc({ outcome: "stored", source: "github" });
    expect(counter.get({ source: "github", outcome: "stored" })).toBe(2);
    expect(counter.render().at(-1)).toBe('hookyard_test_total{outcome="stored",source="github"} 2');
  });
});
