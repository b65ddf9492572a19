/** Requests and configs for the provider tests, built the way the source route will build them. */
import { expect } from "bun:test";
import { createHmac } from "node:crypto";
import {
  type InboundRequest,
  parseVerifier,
  type Verification,
  type VerifierConfig,
} from "../../../src/sources/providers/index.ts";

const encoder = new TextEncoder();

/** A request whose payload is parsed as the route parses it: JSON, else a form, else undefined. */
export function inbound(headers: Record<string, string>, body: string): InboundRequest {
  return { headers: new Headers(headers), body: encoder.encode(body), payload: parse(body) };
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body.includes("=") ? Object.fromEntries(new URLSearchParams(body)) : undefined;
  }
}

/** A config that must parse; the test fails naming the problems otherwise. */
export function configOf(input: Record<string, unknown>): VerifierConfig {
  const parsed = parseVerifier(input);
  if (!parsed.ok) expect(parsed.problems).toEqual([]);
  return (parsed as { config: VerifierConfig }).config;
}

/** An HMAC computed here, apart from the code under test. */
export function hmacOf(
  algorithm: "sha1" | "sha256" | "sha512",
  key: string,
  content: string,
  encoding: "hex" | "base64",
): string {
  return createHmac(algorithm, key).update(content).digest(encoding);
}

/** Unix seconds → Date. */
export const at = (seconds: number) => new Date(seconds * 1000);

export const failure = (reason: string): Verification => ({ ok: false, reason });
export const OK: Verification = { ok: true };
