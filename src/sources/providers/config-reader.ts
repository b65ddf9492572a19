/**
 * Reads the fields of one verifier config (API JSON or TOML, snake_case keys) and
 * collects every problem at once, so one answer names every bad field. Each read returns
 * a usable value even when the field is bad; the caller keeps the result only when
 * `problems` is empty.
 */
import { parseDuration } from "../../config/units.ts";
import type { Problem } from "./provider.ts";

/** Bounds a secret list: rotation needs two or three; ten is already generous. */
export const MAX_SECRETS = 10;
const MAX_SECRET_LENGTH = 1024;
const MAX_TEXT_LENGTH = 256;

/**
 * Bounds a tolerance. Under a second, clock skew between honest hosts fails deliveries;
 * over an hour, a captured request can be replayed for most of a working day.
 */
const MIN_TOLERANCE_MS = 1_000;
const MAX_TOLERANCE_MS = 3_600_000;

/** RFC 9110 `token`: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface TextRules {
  readonly max?: number;
  /** Why the text is unusable, or `undefined`. */
  readonly check?: (text: string) => string | undefined;
}

export class ConfigReader {
  readonly problems: Problem[] = [];
  private readonly known = new Set<string>(["type"]);

  constructor(private readonly fields: Readonly<Record<string, unknown>>) {}

  problem(key: string, message: string): void {
    this.problems.push({ field: `verifier.${key}`, message });
  }

  has(key: string): boolean {
    this.known.add(key);
    return this.fields[key] !== undefined;
  }

  /** A required string: `""` (and a problem) when absent or bad. */
  required(key: string, rules: TextRules = {}): string {
    if (!this.has(key)) {
      this.problem(key, "required");
      return "";
    }
    return this.text(key, rules) ?? "";
  }

  /** An optional string: `undefined` when absent (or bad, with a problem). */
  optional(key: string, rules: TextRules = {}): string | undefined {
    return this.has(key) ? this.text(key, rules) : undefined;
  }

  /** One of `choices`, or `fallback` when absent. */
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    if (!this.has(key)) return fallback;
    const value = this.fields[key];
    if (typeof value === "string" && (choices as readonly string[]).includes(value)) {
      return value as T;
    }
    this.problem(key, `must be one of ${choices.join(", ")}`);
    return fallback;
  }

  /** A header name, kept as written (names are compared case-insensitively). */
  headerName(key: string, presence: "required" | "optional"): string | undefined {
    const rules = { max: 128, check: checkHeaderName };
    return presence === "required" ? this.required(key, rules) : this.optional(key, rules);
  }

  /** A duration such as `"5m"`, kept as written; `fallback` when absent. */
  tolerance(key: string, fallback: string): string {
    return this.optional(key, { max: 32, check: checkTolerance }) ?? fallback;
  }

  /**
   * `secret` (one string) or `secrets` (1-10), normalised to a list. `validate` adds the
   * provider's own rule (e.g. `whsec_` + base64).
   */
  secrets(validate?: (secret: string) => string | undefined): readonly string[] {
    const hasOne = this.has("secret");
    const hasMany = this.has("secrets");
    if (hasOne && hasMany) {
      this.problem("secrets", "give secret or secrets, not both");
      return [];
    }
    if (hasOne) {
      const secret = this.fields.secret;
      const problem = checkSecret(secret, validate);
      if (problem !== undefined) this.problem("secret", problem);
      return [String(secret)];
    }
    if (!hasMany) {
      this.problem("secret", "required (or secrets, a list of 1-10 for rotation)");
      return [];
    }
    const secrets = this.fields.secrets;
    if (!Array.isArray(secrets) || secrets.length === 0 || secrets.length > MAX_SECRETS) {
      this.problem("secrets", `must be a list of 1-${MAX_SECRETS} strings`);
      return [];
    }
    secrets.forEach((secret, index) => {
      const problem = checkSecret(secret, validate);
      if (problem !== undefined) this.problem(`secrets[${index}]`, problem);
    });
    return secrets.map(String);
  }

  /** Every field nobody read is a problem: a misspelt `tolerence` must not be ignored. */
  refuseUnknownFields(type: string): void {
    const expected = [...this.known].join(", ");
    for (const key of Object.keys(this.fields)) {
      if (!this.known.has(key)) {
        this.problem(key, `unknown field; a ${type} verifier takes ${expected}`);
      }
    }
  }

  private text(key: string, rules: TextRules): string | undefined {
    const value = this.fields[key];
    const max = rules.max ?? MAX_TEXT_LENGTH;
    let problem: string | undefined;
    if (typeof value !== "string") problem = "must be a string";
    else if (value === "") problem = "must not be empty";
    else if (value.length > max) problem = `must be at most ${max} characters`;
    else if (CONTROL.test(value)) problem = "must not contain control characters";
    else problem = rules.check?.(value);
    if (problem === undefined) return value as string;
    this.problem(key, problem);
    return undefined;
  }
}

function checkSecret(
  secret: unknown,
  validate: ((secret: string) => string | undefined) | undefined,
): string | undefined {
  if (typeof secret !== "string") return "must be a string";
  // An empty secret would make a signature anyone can compute.
  if (secret === "") return "must not be empty";
  if (secret.length > MAX_SECRET_LENGTH) {
    return `must be at most ${MAX_SECRET_LENGTH} characters`;
  }
  // Invisible in every form that shows the config back, and never matching what the
  // sender signs with: almost always a copy-and-paste slip.
  if (secret.trim() !== secret) return "must not begin or end with whitespace";
  if (CONTROL.test(secret)) return "must not contain control characters";
  return validate?.(secret);
}

function checkHeaderName(name: string): string | undefined {
  return HEADER_NAME.test(name) ? undefined : "must be a header name (letters, digits, -)";
}

function checkTolerance(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return 'must be a duration such as "30s" or "5m"';
  if (ms < MIN_TOLERANCE_MS || ms > MAX_TOLERANCE_MS) return "must be between 1s and 1h";
  return undefined;
}
