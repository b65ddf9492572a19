/**
 * A GitHub delivery's body, in either content type a webhook can be set to:
 * `application/json`, or `application/x-www-form-urlencoded` with the JSON in `payload=`.
 * Pure: the Content-Type header and the raw bytes in, the payload object or an error out.
 */
import { unstorableJson } from "../../lib/storable.ts";

export type DecodedBody =
  | {
      readonly ok: true;
      readonly payload: Record<string, unknown>;
      /** The JSON text `payload` was parsed from. */
      readonly text: string;
    }
  | { readonly ok: false; readonly status: 400 | 415 | 422; readonly error: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const FORM = "application/x-www-form-urlencoded";

export function decodeGitHubBody(contentType: string | null, bytes: Uint8Array): DecodedBody {
  const type = mediaType(contentType);
  // GitHub always names its content type; a hand-made request without one (or with a
  // `+json` type) is read as the JSON it almost certainly is.
  const json = type === "application/json" || type === "" || type.endsWith("+json");
  if (!json && type !== FORM) {
    return refuse(
      415,
      `unsupported content type "${type}": set the webhook's content type to application/json or ${FORM}`,
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return refuse(400, "the body is not valid UTF-8");
  }
  if (json) return parseObject(text, "the body");
  const payload = formField(text, "payload");
  if (payload.kind === "undecodable") {
    return refuse(400, "the form body is not valid percent-encoded UTF-8");
  }
  if (payload.kind === "absent") {
    return refuse(
      400,
      "a form-encoded delivery needs a payload field (payload=<JSON>, as GitHub sends it); send raw JSON as application/json",
    );
  }
  return parseObject(payload.value, "the form's payload field");
}

/** `Application/JSON; charset=utf-8` → `application/json`. */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

type FormField =
  | { readonly kind: "found"; readonly value: string }
  | { readonly kind: "absent" }
  | { readonly kind: "undecodable" };

/**
 * The first value of `name` in a form body. Not URLSearchParams: it turns percent-encoded
 * bytes that are not UTF-8 (`%FF`) into U+FFFD without a word, and a payload altered that
 * way must be refused like a raw body that is not UTF-8.
 */
function formField(body: string, name: string): FormField {
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const key = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = decodeFormComponent(equals === -1 ? "" : pair.slice(equals + 1));
    if (key === undefined || value === undefined) return { kind: "undecodable" };
    if (key === name) return { kind: "found", value };
  }
  return { kind: "absent" };
}

/** `+` is a space in forms; decodeURIComponent throws on `%FF`, `%E2%82` or `%zz`. */
function decodeFormComponent(component: string): string | undefined {
  try {
    return decodeURIComponent(component.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

function parseObject(text: string, what: string): DecodedBody {
  if (text.trim() === "") return refuse(400, `${what} is empty; expected a JSON object`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refuse(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return refuse(400, `${what} is JSON but not an object (got ${kind})`);
  }
  const problem = unstorableJson(value, text);
  if (problem !== undefined) return refuse(422, `${what} ${problem}`);
  return { ok: true, payload: value as Record<string, unknown>, text };
}

const refuse = (status: 400 | 415 | 422, error: string): DecodedBody => ({
  ok: false,
  status,
  error,
});
