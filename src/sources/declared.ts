/**
 * Sources declared in the TOML config file, beside the settings:
 *
 *     [sources.stripe-live]
 *     verifier = { type = "stripe", secret = "whsec_…" }
 *     event_type = "{{body.type}}"   # optional
 *     description = "Stripe, live mode"  # optional
 *
 * Read once at start; a problem stops hookyard with one line naming the field
 * (`sources.stripe-live.verifier.secrets: …`), as a bad setting does. Such sources cannot
 * be changed through the API: the file is where they live.
 */
import { ConfigError } from "../config/errors.ts";
import { parseSourceInput, type Source } from "./definition.ts";
import type { VerifierConfig } from "./providers/index.ts";

export function readDeclaredSources(table: unknown, fileName: string): readonly Source[] {
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    throw new ConfigError(
      "sources",
      `expected tables such as [sources.stripe-live] in ${fileName}, got ${JSON.stringify(table)}`,
    );
  }
  return Object.entries(table as Record<string, unknown>).map(([name, fields]) => {
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
      throw new ConfigError(`sources.${name}`, `expected a table in ${fileName}`);
    }
    const parsed = parseSourceInput({ ...fields, name }, "create");
    if (!parsed.ok) {
      const [first] = parsed.problems;
      const field = first?.field === "name" ? "" : `.${first?.field ?? ""}`;
      throw new ConfigError(`sources.${name}${field}`, `${first?.message} (in ${fileName})`);
    }
    return Object.freeze({
      name,
      verifier: parsed.input.verifier as VerifierConfig,
      eventType: parsed.input.eventType ?? undefined,
      description: parsed.input.description ?? "",
      origin: "config" as const,
      createdAt: null,
      updatedAt: null,
    });
  });
}
