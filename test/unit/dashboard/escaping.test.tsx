import { describe, expect, test } from "bun:test";
import { EmptyState } from "../../../src/dashboard/components/empty-state.tsx";
import { FilterForm } from "../../../src/dashboard/components/filter-form.tsx";
import { JsonView, TextView } from "../../../src/dashboard/components/json-view.tsx";
import { KeyValue } from "../../../src/dashboard/components/key-value.tsx";
import { markup } from "../../../src/dashboard/components/markup.ts";
import { Notice } from "../../../src/dashboard/components/notice.tsx";
import { PostButton } from "../../../src/dashboard/components/post-button.tsx";
import { StatusBadge } from "../../../src/dashboard/components/status-badge.tsx";
import { Table } from "../../../src/dashboard/components/table.tsx";
import { renderSync } from "../../../src/dashboard/html.ts";
import { Layout } from "../../../src/dashboard/layout.tsx";
import { handlerAttributes, parseHtml } from "./parse-html.ts";

const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const PAYLOAD = `${SCRIPT}${BREAKOUT}`;

const row = { id: PAYLOAD };

// Each renders attacker-controlled text through one component.
const renderings: [string, () => JSX.Element][] = [
  ["JsonView", () => <JsonView value={{ body: PAYLOAD, [PAYLOAD]: [PAYLOAD] }} />],
  ["TextView", () => <TextView text={PAYLOAD} copyable />],
  ["a Table cell", () => <Table columns={[{ header: "id", cell: (r) => r.id }]} rows={[row]} />],
  ["a Table header", () => <Table columns={[{ header: PAYLOAD, cell: () => 1 }]} rows={[row]} />],
  ["KeyValue label and value", () => <KeyValue items={[{ label: PAYLOAD, value: PAYLOAD }]} />],
  ["EmptyState", () => <EmptyState title={PAYLOAD} text={PAYLOAD} code={PAYLOAD} />],
  ["StatusBadge", () => <StatusBadge status={PAYLOAD} />],
  ["Notice", () => <Notice tone="bad" message={PAYLOAD} />],
  [
    "FilterForm values",
    () => (
      <FilterForm
        action="/dashboard"
        fields={[
          { name: "q", label: "Text" },
          { kind: "select", name: "source", label: "Source", options: [] },
        ]}
        values={{ q: PAYLOAD, source: PAYLOAD }}
      />
    ),
  ],
  [
    "PostButton label and confirm text",
    () => (
      <PostButton
        action="/dashboard/x"
        csrfToken={PAYLOAD}
        label={PAYLOAD}
        confirm={PAYLOAD}
        fields={{ note: PAYLOAD }}
      />
    ),
  ],
];

describe("dashboard components escape attacker-controlled text", () => {
  test.each(renderings)(
    "%s shows the payload as text and creates no element from it",
    async (_name, render) => {
      const parsed = await parseHtml(renderSync(render()));
      expect(parsed.tags).not.toContain("script");
      expect(parsed.tags).not.toContain("img");
      expect(handlerAttributes(parsed)).toEqual([]);
      const shown = parsed.text + JSON.stringify(parsed.elements.map((e) => e.attributes));
      expect(shown).toContain(SCRIPT);
    },
  );

  test("the layout's title and heading are text, and its only script is app.js", async () => {
    const parsed = await parseHtml(renderSync(<Layout title={PAYLOAD}>body</Layout>));
    const scripts = parsed.elements.filter((e) => e.tag === "script");
    expect(scripts.map((s) => s.attributes.src)).toEqual(["/dashboard/assets/app.js"]);
    expect(parsed.tags).not.toContain("img");
    expect(parsed.text).toContain(`${PAYLOAD} · hookyard`);
  });

  test("a form value round-trips exactly, entities and quotes included", async () => {
    const typed = `a&amp;b "quoted" <x> 'single'`;
    const html = renderSync(
      <FilterForm
        action="/dashboard"
        fields={[{ name: "q", label: "Text" }]}
        values={{ q: typed }}
      />,
    );
    const input = (await parseHtml(html)).elements.find((e) => e.tag === "input");
    expect(input?.attributes.value).toBe(typed);
  });

  test("a JSON payload is shown exactly as pretty-printed JSON", async () => {
    const value = { body: PAYLOAD, n: 1 };
    const parsed = await parseHtml(renderSync(<JsonView value={value} />));
    expect(parsed.text).toContain(JSON.stringify(value, null, 2));
  });

  test("markup() cells are inserted as HTML, plain strings are not", async () => {
    const html = renderSync(
      <Table
        columns={[
          { header: "link", cell: (r) => markup(<a href={`/dashboard/events/${r.id}`}>open</a>) },
          { header: "text", cell: () => "<b>bold</b>" },
        ]}
        rows={[{ id: "ev_1" }]}
      />,
    );
    const parsed = await parseHtml(html);
    expect(parsed.elements.find((e) => e.tag === "a")?.attributes.href).toBe(
      "/dashboard/events/ev_1",
    );
    expect(parsed.tags).not.toContain("b");
    expect(parsed.text).toContain("<b>bold</b>");
  });
});

describe("the dashboard stays within its Content-Security-Policy", () => {
  test("no component renders inline styles, inline scripts or event handlers", async () => {
    const page = renderSync(
      <Layout title="All" active="events" live={{ topics: ["events"] }} csrfToken="t">
        {renderings.map(([, render]) => render())}
      </Layout>,
    );
    const parsed = await parseHtml(page);
    expect(parsed.tags).not.toContain("style");
    expect(parsed.elements.filter((e) => "style" in e.attributes)).toEqual([]);
    expect(parsed.elements.filter((e) => e.tag === "script" && !e.attributes.src)).toEqual([]);
    expect(handlerAttributes(parsed)).toEqual([]);
  });
});

describe("renderSync", () => {
  test("refuses an async component's promise", () => {
    expect(() => renderSync(Promise.resolve("<p>late</p>"))).toThrow(/synchronous/);
  });
});
