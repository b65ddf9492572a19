import { describe, expect, test } from "bun:test";
import { Pager } from "../../../src/dashboard/components/pager.tsx";
import { hrefWith, queryValue } from "../../../src/dashboard/components/query.ts";
import { renderSync } from "../../../src/dashboard/html.ts";
import { parseHtml } from "./parse-html.ts";

describe("hrefWith", () => {
  test.each<[string, Parameters<typeof hrefWith>, string]>([
    [
      "keeps the filters and sets the cursor",
      ["/dashboard", { source: "github", type: "push" }, { cursor: "c2" }],
      "/dashboard?source=github&type=push&cursor=c2",
    ],
    [
      "replaces the current cursor",
      ["/dashboard", { q: "x", cursor: "c1" }, { cursor: "c2" }],
      "/dashboard?q=x&cursor=c2",
    ],
    [
      "removes a parameter set to undefined",
      ["/dashboard", { q: "x", cursor: "c1" }, { cursor: undefined }],
      "/dashboard?q=x",
    ],
    [
      "drops empty parameters",
      ["/dashboard", { q: "", source: "github", type: undefined }],
      "/dashboard?source=github",
    ],
    [
      "percent-encodes values",
      ["/dashboard", { q: 'a&b=c #"<x>' }, { cursor: "a+b/c==" }],
      "/dashboard?q=a%26b%3Dc+%23%22%3Cx%3E&cursor=a%2Bb%2Fc%3D%3D",
    ],
    [
      "keeps repeated parameters",
      ["/dashboard", { type: ["push", "ping"] }],
      "/dashboard?type=push&type=ping",
    ],
    [
      "reads URLSearchParams",
      ["/dashboard", new URLSearchParams("q=x&cursor=c1"), { cursor: "c2" }],
      "/dashboard?q=x&cursor=c2",
    ],
    ["gives the bare path without parameters", ["/dashboard", {}], "/dashboard"],
  ])("%s", (_name, args, expected) => {
    expect(hrefWith(...args)).toBe(expected);
  });
});

describe("queryValue", () => {
  test.each<[Parameters<typeof queryValue>[0], string | undefined]>([
    [{ q: "x" }, "x"],
    [{ q: "" }, undefined],
    [{ q: ["first", "second"] }, "first"],
    [{}, undefined],
    [new URLSearchParams("q=y"), "y"],
    [new URLSearchParams("q="), undefined],
  ])("reads q from %p", (query, expected) => {
    expect(queryValue(query, "q")).toBe(expected);
  });
});

async function links(element: JSX.Element) {
  const parsed = await parseHtml(renderSync(element));
  return parsed.elements.filter((e) => e.tag === "a").map((e) => e.attributes.href);
}

describe("Pager", () => {
  test("links to the older page keeping the filters, encoded", async () => {
    const hrefs = await links(
      <Pager path="/dashboard" query={{ source: "git hub", q: "a&b" }} nextCursor="c/2" />,
    );
    expect(hrefs).toEqual(["/dashboard?source=git+hub&q=a%26b&cursor=c%2F2"]);
  });

  test("past the first page, also links back to the newest page with the same filters", async () => {
    const hrefs = await links(
      <Pager path="/dashboard" query={{ source: "github", cursor: "c1" }} nextCursor="c2" />,
    );
    expect(hrefs).toEqual(["/dashboard?source=github", "/dashboard?source=github&cursor=c2"]);
  });

  test("links to the newer page when the list knows its cursor", async () => {
    const hrefs = await links(
      <Pager
        path="/dashboard/changes"
        query={{ after: "c1" }}
        nextCursor={null}
        prevCursor="c0"
        cursorParam="after"
      />,
    );
    expect(hrefs).toEqual(["/dashboard/changes", "/dashboard/changes?after=c0"]);
  });

  test("renders nothing for a list that fits on one page", () => {
    expect(renderSync(<Pager path="/dashboard" query={{ q: "x" }} nextCursor={null} />)).toBe("");
  });
});
