import { describe, expect, test } from "bun:test";
import { EmptyState } from "../../../src/dashboard/components/empty-state.tsx";
import {
  formatBytes,
  JsonView,
  prettyJson,
  TextView,
  truncateUtf8,
} from "../../../src/dashboard/components/json-view.tsx";
import type { LiveSpec } from "../../../src/dashboard/components/live-region.tsx";
import { PostButton } from "../../../src/dashboard/components/post-button.tsx";
import { badgeTone, StatusBadge } from "../../../src/dashboard/components/status-badge.tsx";
import { formatUtc, Time } from "../../../src/dashboard/components/time.tsx";
import { renderSync } from "../../../src/dashboard/html.ts";
import { Layout } from "../../../src/dashboard/layout.tsx";
import { parseHtml } from "./parse-html.ts";

const parse = (element: JSX.Element) => parseHtml(renderSync(element));

describe("JsonView", () => {
  test("cuts a large payload at the limit and says so", async () => {
    const parsed = await parse(<JsonView value={{ blob: "x".repeat(2000) }} maxBytes={1024} />);
    const pre = parsed.text.split("Showing")[0] ?? "";
    expect(new TextEncoder().encode(pre).length).toBeLessThanOrEqual(1024);
    expect(parsed.text).toContain("Showing the first 1.0 KB of 2.0 KB");
  });

  test("shows a payload under the limit whole, without a note", async () => {
    const parsed = await parse(<JsonView value={{ a: 1 }} />);
    expect(parsed.text).toBe('{\n  "a": 1\n}');
  });

  test("says when there is no payload", async () => {
    expect((await parse(<JsonView value={undefined} />)).text).toBe("(empty)");
  });

  test("keeps a raw body's leading newline, which HTML would drop after <pre>", () => {
    expect(renderSync(<TextView text={"\nline"} />)).toContain("<pre");
    expect(renderSync(<TextView text={"\nline"} />)).toMatch(/>\n\nline<\/pre>/);
  });
});

describe("truncateUtf8", () => {
  test.each<[string, string, number, string, boolean]>([
    ["text under the limit is whole", "héllo", 10, "héllo", false],
    ["text over the limit is cut", "abcdef", 3, "abc", true],
    ["a two-byte character is not split", "aé", 2, "a", true],
    ["a four-byte character is not split", "a😀", 4, "a", true],
  ])("%s", (_name, text, max, expected, truncated) => {
    const result = truncateUtf8(text, max);
    expect(result.text).toBe(expected);
    expect(result.truncated).toBe(truncated);
    expect(result.totalBytes).toBe(new TextEncoder().encode(text).length);
  });
});

describe("prettyJson and formatBytes", () => {
  test("prints BigInt values and survives cycles", () => {
    expect(prettyJson({ n: 10n })).toBe('{\n  "n": "10"\n}');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(prettyJson(cycle)).toBe("[object Object]");
  });

  test.each([
    [512, "512 B"],
    [2048, "2.0 KB"],
    [25 * 1024 * 1024, "25.0 MB"],
  ])("formats %p bytes as %p", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("Time", () => {
  test("shows UTC text with the ISO time in datetime", async () => {
    const parsed = await parse(<Time value="2026-11-22T10:00:05.123+02:00" />);
    expect(parsed.elements[0]?.attributes.datetime).toBe("2026-11-22T08:00:05.123Z");
    expect(parsed.text).toBe("2026-11-22 08:00:05 UTC");
  });

  test.each([[null], [undefined], [""], ["not a date"], [Number.NaN]])(
    "shows a dash for %p",
    (value) => {
      expect(formatUtc(value)).toBeUndefined();
      expect(renderSync(<Time value={value} />)).toContain("—");
    },
  );
});

describe("StatusBadge", () => {
  test.each<[string | number, string]>([
    ["delivered", "ok"],
    ["sent", "ok"],
    ["success", "ok"],
    ["queued", "neutral"],
    ["pending", "neutral"],
    ["held", "neutral"],
    ["retrying", "warn"],
    ["failed", "bad"],
    ["rejected", "bad"],
    ["FAILED", "bad"],
    ["something-new", "neutral"],
    [200, "ok"],
    [204, "ok"],
    [429, "warn"],
    [503, "warn"],
    [404, "bad"],
    [301, "bad"],
  ])("%p is %p", async (status, tone) => {
    expect(badgeTone(status)).toBe(tone as never);
    const parsed = await parse(<StatusBadge status={status} />);
    expect(parsed.elements[0]?.attributes.class).toBe(`badge badge-${tone}`);
    expect(parsed.text).toBe(String(status));
  });
});

describe("EmptyState", () => {
  test("pairs the Copy button with its code block", async () => {
    const parsed = await parse(<EmptyState title="No events" code="curl -X POST http://x" />);
    const button = parsed.elements.find((e) => e.tag === "button");
    const pre = parsed.elements.find((e) => e.tag === "pre");
    expect(button?.attributes["data-copy-target"]).toBe(pre?.attributes.id as string);
    expect(parsed.text).toContain("curl -X POST http://x");
  });
});

describe("PostButton", () => {
  test("posts to its action with the CSRF token, extra fields and a confirmation", async () => {
    const parsed = await parse(
      <PostButton
        action="/dashboard/endpoints/ep_1/delete"
        csrfToken="tok"
        label="Delete"
        confirm="Delete it?"
        fields={{ return_to: "/dashboard/endpoints" }}
        danger
      />,
    );
    const form = parsed.elements.find((e) => e.tag === "form")?.attributes;
    expect(form).toMatchObject({
      method: "post",
      action: "/dashboard/endpoints/ep_1/delete",
      "data-confirm": "Delete it?",
    });
    const inputs = parsed.elements.filter((e) => e.tag === "input").map((e) => e.attributes);
    expect(inputs).toEqual([
      { type: "hidden", name: "csrf_token", value: "tok" },
      { type: "hidden", name: "return_to", value: "/dashboard/endpoints" },
    ]);
    expect(parsed.elements.find((e) => e.tag === "button")?.attributes.class).toBe(
      "btn btn-danger",
    );
  });
});

describe("Layout", () => {
  test("links the assets, marks the active section and publishes the CSRF token", async () => {
    const parsed = await parse(
      <Layout title="Endpoints" active="endpoints" csrfToken="tok">
        <p>content</p>
      </Layout>,
    );
    const attrs = (tag: string) =>
      parsed.elements.filter((e) => e.tag === tag).map((e) => e.attributes);
    expect(renderSync(<Layout title="x">y</Layout>)).toStartWith("<!doctype html>");
    expect(attrs("link")).toContainEqual({
      rel: "stylesheet",
      href: "/dashboard/assets/style.css",
    });
    expect(attrs("script")).toEqual([{ src: "/dashboard/assets/app.js", defer: "" }]);
    expect(attrs("meta")).toContainEqual({ name: "csrf-token", content: "tok" });
    const current = attrs("a").filter((a) => a["aria-current"] === "page");
    expect(current).toEqual([{ href: "/dashboard/endpoints", "aria-current": "page" }]);
    const hrefs = attrs("a").map((a) => a.href);
    for (const href of [
      "/dashboard",
      "/dashboard/changes",
      "/dashboard/relay",
      "/dashboard/hooks",
      "/openapi",
    ]) {
      expect(hrefs).toContain(href);
    }
  });

  test("a live page names what it listens for; any other page listens to nothing", async () => {
    const attributesOf = async (live?: LiveSpec) => {
      const parsed = await parse(<Layout title="x" live={live} />);
      return parsed.elements.find((e) => e.tag === "main")?.attributes ?? {};
    };
    expect(await attributesOf(undefined)).not.toHaveProperty("data-live-topics");
    expect(
      await attributesOf({ topics: ["events", "deliveries"], endpointId: "ep", pollSeconds: 0.2 }),
    ).toMatchObject({
      "data-live-topics": "events deliveries",
      "data-live-endpoint": "ep",
      "data-live-poll-seconds": "1",
    });
  });
});
