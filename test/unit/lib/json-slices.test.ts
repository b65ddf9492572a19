import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type JsonPlan, planJson, rebuildJson } from "../../../src/lib/json-slices.ts";

const noPause = () => undefined;

const utf8 = (text: string) => new TextEncoder().encode(text);

async function rebuilt(text: string, chunk: number, maxDepth = 8): Promise<unknown> {
  const bytes = utf8(text);
  return rebuildJson(bytes, planJson(bytes, { chunk, maxDepth }), noPause);
}

/** Equal as JSON.parse made it: same keys in the same order, same prototypes, -0 kept. */
function expectSameAsParse(value: unknown, text: string): void {
  const parsed = JSON.parse(text);
  expect(value).toStrictEqual(parsed);
  expect(JSON.stringify(value)).toBe(JSON.stringify(parsed));
}

describe("planJson and rebuildJson", () => {
  test.each([
    ['{"a": 1, "b": [1, 2, 3], "c": {"d": "e"}}'],
    ['  [ 1 , "x" , {"y": [ ]} , [ [ ] ] , null , true , false , -0 , 1e3 ]  '],
    ['{"s": "with \\"quotes\\" and \\\\ backslashes \\\\", "t": "\\u00e9\\ud83d\\ude00"}'],
    ['{"a": 1, "a": {"x": 2}, "b": 3, "a": [4]}'],
    ['{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}'],
    ['{"2": "b", "1": "a", "z": 0, "10": "c"}'],
    ['{"": [{"": ""}], "\\"": "\\\\"}'],
    ['"a lone string that is longer than the chunk"'],
    ["12345678901234567890"],
    ['{"é": ["ü", "日本語", "😀"], "x": "\\u00e9 é"}'],
  ])("rebuilds %s as JSON.parse does, split into the smallest pieces", async (text) => {
    for (const chunk of [1, 4, 16, 1_000]) expectSameAsParse(await rebuilt(text, chunk), text);
  });

  test("a __proto__ member stays a member, not the object's prototype", async () => {
    const value = (await rebuilt('{"x": 1, "__proto__": {"polluted": true}}', 2)) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["x", "__proto__"]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test("splits a large array into runs of items no longer than the chunk", () => {
    const text = JSON.stringify({ rows: Array.from({ length: 1000 }, (_, i) => ({ i })) });
    const plan = planJson(utf8(text), { chunk: 100, maxDepth: 8 });
    const runs: number[] = [];
    const walk = (node: JsonPlan) => {
      if (node.kind !== "array" && node.kind !== "object") return;
      for (const part of node.parts) {
        if (part.kind === "run") runs.push(part.to - part.from);
        else walk(part.plan);
      }
    };
    walk(plan);
    expect(runs.length).toBeGreaterThan(50);
    expect(Math.max(...runs)).toBeLessThanOrEqual(100);
  });

  test("passes a string longer than the chunk whole, already parsed", () => {
    const long = 'é"\\'.repeat(100);
    const plan = planJson(utf8(JSON.stringify({ long })), { chunk: 50, maxDepth: 8 });
    expect(plan).toEqual({
      kind: "object",
      parts: [{ kind: "one", key: "long", plan: { kind: "string", value: long } }],
    });
  });

  test("parses containers nested past maxDepth whole", () => {
    const text = JSON.stringify([[[[["deep", "deeper", "deepest"]]]]]);
    const plan = planJson(utf8(text), { chunk: 4, maxDepth: 2 });
    const inner = (plan as unknown as { parts: { plan: { parts: { plan: JsonPlan }[] } }[] })
      .parts[0]?.plan.parts[0]?.plan;
    expect(inner?.kind).toBe("whole");
  });

  test("pauses between pieces when asked to", async () => {
    const text = JSON.stringify(Array.from({ length: 100 }, (_, i) => i));
    let pauses = 0;
    const bytes = utf8(text);
    const value = await rebuildJson(bytes, planJson(bytes, { chunk: 20, maxDepth: 8 }), () => {
      pauses++;
      return Promise.resolve();
    });
    expectSameAsParse(value, text);
    expect(pauses).toBeGreaterThan(10);
  });

  test("any JSON value comes back as JSON.parse reads it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 5, stringUnit: "binary" }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (value, chunk, maxDepth, pretty) => {
          const text = JSON.stringify(value, null, pretty ? 2 : undefined);
          expectSameAsParse(await rebuilt(text, chunk, maxDepth), text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
