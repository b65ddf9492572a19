/**
 * The documents a user reads: README.md, NOTES.md and docs/. Their links lead somewhere,
 * every route the API offers is explained in one of them, and they speak of the product
 * rather than of how it was made.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { startTestApp } from "./support/app.ts";

const root = join(import.meta.dir, "..");

function markdownUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return markdownUnder(path);
    return name.endsWith(".md") ? [path] : [];
  });
}

const documents = [
  join(root, "README.md"),
  join(root, "NOTES.md"),
  ...markdownUnder(join(root, "docs")),
]
  .filter((path) => existsSync(path))
  .map((path) => ({
    name: relative(root, path),
    path,
    text: readFileSync(path, "utf8"),
  }));

/** Markdown links and images whose target is a path in the repo (not a URL, not an anchor). */
function relativeLinks(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"));
}

/** `/endpoints/{id}` and `/endpoints/:id` read alike. */
const normalisedRoute = (path: string) =>
  path.replace(/\{[^}]+\}/g, ":param").replace(/:[a-z_]+/g, ":param");

describe("the documents", () => {
  test("README, NOTES and the guides are there", () => {
    expect(documents.map((document) => document.name)).toContain("README.md");
    expect(documents.length).toBeGreaterThan(1);
  });

  test("every relative link resolves to a file or folder in the repo", () => {
    const broken = documents.flatMap(({ name, path, text }) =>
      relativeLinks(text)
        .map((target) => decodeURIComponent(target.split("#")[0] as string))
        .filter((target) => target !== "" && !existsSync(join(dirname(path), target)))
        .map((target) => `${name}: ${target}`),
    );
    expect(broken).toEqual([]);
  });

  test("they speak of the product, not of how it was made", () => {
    const process = /\bsessions?\b|\bstop \d+\b|\bissue #?\d+|\bissue #/i;
    const found = documents.flatMap(({ name, text }) =>
      text
        .split("\n")
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => process.test(line))
        .map(({ line, index }) => `${name}:${index + 1}: ${line.trim().slice(0, 120)}`),
    );
    expect(found).toEqual([]);
  });

  test("every route in the OpenAPI document is explained in one of them", async () => {
    const app = await startTestApp("sqlite");
    try {
      const openapi = (await (await app.request("/openapi/json")).json()) as {
        paths: Record<string, unknown>;
      };
      const text = normalisedRoute(documents.map((document) => document.text).join("\n"));
      const missing = Object.keys(openapi.paths).filter(
        (path) => !text.includes(normalisedRoute(path)),
      );
      expect(Object.keys(openapi.paths).length).toBeGreaterThan(20);
      expect(missing).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
