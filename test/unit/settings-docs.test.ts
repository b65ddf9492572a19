/**
 * The settings hookyard reads, the README's table of them and what docker compose passes
 * through are one list: a new setting missing from either is a failed test, not a
 * surprise for the user who sets it and sees nothing happen.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SETTINGS } from "../../src/config.ts";

const root = join(import.meta.dir, "..", "..");
const read = (name: string) => Bun.file(join(root, name)).text();

async function readmeSettings(): Promise<string[]> {
  const readme = await read("README.md");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const table = section.slice(0, section.indexOf("\n## "));
  return [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1] as string);
}

async function composeEnvironment(): Promise<Record<string, string>> {
  const compose = Bun.YAML.parse(await read("docker-compose.yml")) as {
    services: { hookyard: { environment: Record<string, string> } };
  };
  return compose.services.hookyard.environment;
}

describe("settings, documented and passed through", () => {
  const known = Object.keys(SETTINGS).sort();

  test("the README's Configuration table lists every setting, once", async () => {
    expect((await readmeSettings()).sort()).toEqual(known);
  });

  test("docker compose passes every setting through", async () => {
    expect(Object.keys(await composeEnvironment()).sort()).toEqual(known);
  });

  test("docker compose refuses to start without ADMIN_TOKEN and passes every other setting as the shell gives it", async () => {
    const environment = await composeEnvironment();
    expect(environment.ADMIN_TOKEN).toMatch(/^\$\{ADMIN_TOKEN:\?.+\}$/);
    for (const [name, value] of Object.entries(environment)) {
      if (name === "ADMIN_TOKEN") continue;
      expect({ name, value }).toEqual({
        name,
        value: expect.stringMatching(new RegExp(`^\\$\\{${name}:-[^}]*\\}$`)),
      });
    }
  });
});
