/**
 * A GitHub delivery's body, in either content type a webhook can be set to:
 * `application/json`, or `application/x-www-form-urlencoded` with the JSON in `payload=`.
 * decodeGitHubBody is pure: the Content-Type header and the raw bytes in, the payload
 * object or an error out. readGitHubBody has a large JSON body decoded off the serving
 * thread instead (GitHub sends up to 25 MB).
 */
import { decodeJsonBody, LARGE_BODY_BYTES } from "../../http/body.ts";
import { isJsonContentType } from "../../http/content-type.ts";
import { ApiError } from "../../http/errors.ts";
import { reusableJsonText, unstorableJson } from "../../lib/storable.ts";

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

/** A decoded delivery, with what may be stored as the payload's JSON as it came. */
export type ReadBody =
  | {
      readonly ok: true;
      readonly payload: Record<string, unknown>;
      /** As ../../store/events.ts NewEvent.payloadText: undefined to serialize `payload`. */
      readonly storable: string | Uint8Array | undefined;
    }
  | Extract<DecodedBody, { ok: false }>;

/**
 * decodeGitHubBody, but a large JSON body is decoded and checked on the JSON thread and
 * its value rebuilt a slice at a time (../../http/body.ts), so that other requests are
 * answered meanwhile. Same answers, same refusals.
 */
export async function readGitHubBody(
  contentType: string | null,
  bytes: Uint8Array,
): Promise<ReadBody> {
  if (bytes.byteLength < LARGE_BODY_BYTES || !isJsonContentType(contentType)) {
    const decoded = decodeGitHubBody(contentType, bytes);
    return decoded.ok
      ? { ok: true, payload: decoded.payload, storable: reusableJsonText(decoded.text) }
      : decoded;
  }
  let json: Awaited<ReturnType<typeof decodeJsonBody>>;
  try {
    json = await decodeJsonBody(bytes);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 400 || error.status === 422)) {
      return refuse(error.status, error.message);
    }
    throw error;
  }
  const problem = notAnObject(json.value, "the body");
  if (problem !== undefined) return refuse(400, problem);
  return { ok: true, payload: json.value as Record<string, unknown>, storable: json.storable };
}

function notAnObject(value: unknown, what: string): string | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return undefined;
  const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  return `${what} is JSON but not an object (got ${kind})`;
}

function parseObject(text: string, what: string): DecodedBody {
  if (text.trim() === "") return refuse(400, `${what} is empty; expected a JSON object`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refuse(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
  const notObject = notAnObject(value, what);
  if (notObject !== undefined) return refuse(400, notObject);
  const problem = unstorableJson(value, text);
  if (problem !== undefined) return refuse(422, `${what} ${problem}`);
  return { ok: true, payload: value as Record<string, unknown>, text };
}

const refuse = (status: 400 | 415 | 422, error: string): Extract<DecodedBody, { ok: false }> => ({
  ok: false,
  status,
  error,
});
