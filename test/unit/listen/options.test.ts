import { describe, expect, test } from "bun:test";
import { type ListenArgs, parseListenArgs, typeUnderSource } from "../../../src/listen/options.ts";

const required = [
  "--from",
  "https://hooks.example.com",
  "--forward",
  "http://localhost:3000/hooks",
];

const usageError = (args: readonly string[], env: Record<string, string> = {}) => {
  const parsed = parseListenArgs(args, env);
  return parsed.kind === "usage-error" ? parsed.message : `not an error: ${parsed.kind}`;
};

describe("parseListenArgs", () => {
  test("reads every option", () => {
    const parsed = parseListenArgs(
      [
        ...required,
        "--token",
        "T",
        "--source",
        "stripe-live",
        "--type",
        "invoice.*",
        "--replay-since",
        "1h",
      ],
      {},
    );
    expect(parsed).toEqual<ListenArgs>({
      kind: "listen",
      options: {
        from: "https://hooks.example.com/",
        token: "T",
        forward: "http://localhost:3000/hooks",
        source: "stripe-live",
        // A source's events are typed under its name.
        type: "stripe-live.invoice.*",
        replaySinceMs: 3_600_000,
      },
    });
  });

  test.each([
    ["invoice.*", "stripe-live", "stripe-live.invoice.*"],
    ["stripe-live.invoice.paid", "stripe-live", "stripe-live.invoice.paid"],
    ["*", "stripe-live", "*"],
    ["invoice.*", undefined, "invoice.*"],
  ])("--type %p with --source %p filters on %p", (type, source, expected) => {
    expect(typeUnderSource(type, source)).toBe(expected);
  });

  test("reads --name=value as well", () => {
    const parsed = parseListenArgs(
      ["--from=http://127.0.0.1:8000", "--forward=http://127.0.0.1:3000", "--replay-since=90s"],
      {},
    );
    expect(parsed.kind === "listen" && parsed.options.replaySinceMs).toBe(90_000);
  });

  test("takes the token from HOOKYARD_TOKEN when --token is not given", () => {
    const fromEnv = parseListenArgs(required, { HOOKYARD_TOKEN: "from-env" });
    expect(fromEnv.kind === "listen" && fromEnv.options.token).toBe("from-env");
    const both = parseListenArgs([...required, "--token", "given"], { HOOKYARD_TOKEN: "env" });
    expect(both.kind === "listen" && both.options.token).toBe("given");
  });

  test("needs no token (a hookyard without ADMIN_TOKEN) and no filters", () => {
    const parsed = parseListenArgs(required, {});
    expect(parsed).toMatchObject({
      kind: "listen",
      options: { token: undefined, source: undefined, type: undefined, replaySinceMs: undefined },
    });
  });

  test.each<[string, readonly string[], string]>([
    ["no --from", ["--forward", "http://localhost:3000"], "--from: required"],
    ["no --forward", ["--from", "http://hooks.example.com"], "--forward: required"],
    [
      "--from not a URL",
      ["--from", "hooks.example.com", "--forward", "http://a"],
      "--from: expected an http:// or https:// URL",
    ],
    [
      "--forward not http",
      ["--from", "http://a", "--forward", "ftp://b/"],
      "--forward: expected an http:// or https:// URL",
    ],
    ["--from without its value", ["--forward", "http://a", "--from"], "--from: expected a value"],
    [
      "--replay-since not a duration",
      [...required, "--replay-since", "yesterday"],
      '--replay-since: expected a duration such as 30m, 1h or 2d, got "yesterday"',
    ],
    [
      "--replay-since without a unit",
      [...required, "--replay-since", "60"],
      "--replay-since: expected a duration",
    ],
    [
      "--replay-since of nothing",
      [...required, "--replay-since", "0s"],
      "--replay-since: expected a duration",
    ],
    ["an empty --token", [...required, "--token", " "], "--token: empty"],
    ["an empty --type", [...required, "--type", ""], "--type: empty"],
    ["an unknown option", [...required, "--to", "x"], 'unknown option "--to"'],
    ["a stray argument", [...required, "extra"], 'unexpected argument "extra"'],
  ])("%s is a usage error naming it", (_name, args, message) => {
    expect(usageError(args)).toStartWith(message);
  });

  test("an empty HOOKYARD_TOKEN is named as such", () => {
    expect(usageError(required, { HOOKYARD_TOKEN: "" })).toBe("HOOKYARD_TOKEN: empty");
  });

  test("every usage error is one line", () => {
    for (const args of [[], ["--from"], ["--nope"], ["x", "y"]]) {
      expect(usageError(args)).not.toContain("\n");
    }
  });

  test("--help and -h ask for the usage", () => {
    expect(parseListenArgs(["--help"], {})).toEqual({ kind: "help" });
    expect(parseListenArgs(["-h"], {})).toEqual({ kind: "help" });
  });
});
