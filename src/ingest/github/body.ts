/**
 * A GitHub delivery's body, in either content type a webhook can be set to:
 * `application/json`, or `application/x-www-form-urlencoded` with the JSON in `payload=`.
 */
export type DecodedBody =
  | { readonly ok: true; readonly payload: Record<string, unknown> }
  | { readonly ok: false; readonly status: 400 | 415; readonly error: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeGitHubBody(contentType: string | null, bytes: Uint8Array): DecodedBody {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, status: 400, error: "the body is not valid UTF-8" };
  }
  if (type === "application/x-www-form-urlencoded") {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) {
      return { ok: false, status: 400, error: "a form-encoded delivery needs a payload field" };
    }
    return parseObject(payload);
  }
  if (type === "application/json" || type === "" || type.endsWith("+json")) {
    return parseObject(text);
  }
  return {
    ok: false,
    status: 415,
    error: `unsupported content type "${type}": set the webhook's content type to application/json or application/x-www-form-urlencoded`,
  };
}

function parseObject(text: string): DecodedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      status: 400,
      error: `the body is not valid JSON: ${(error as Error).message}`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, status: 400, error: "the body is JSON but not an object" };
  }
  return { ok: true, payload: value as Record<string, unknown> };
}
