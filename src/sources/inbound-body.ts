/**
 * A source's request body: JSON, or a form (Slack's slash commands and interactivity).
 * Decoding never decides whether a request is genuine: the verifier checks the raw bytes
 * first, and a body that does not decode is refused only once it passed.
 */
import { decodeJsonBody, parseFormBody } from "../http/body.ts";
import { isJsonContentType, mediaTypeOf } from "../http/content-type.ts";
import { ApiError, badRequest, unsupportedMediaType } from "../http/errors.ts";
import { isStorableText } from "../lib/storable.ts";

export interface InboundBody {
  /** JSON, or a form's fields as an object of strings. */
  readonly payload: unknown;
  /** As ../store/events.ts NewEvent.payloadText: the JSON as received, where it may be stored so. */
  readonly storable: string | Uint8Array | undefined;
  /** The body as text, exactly as received: what `hookyard listen` forwards. */
  readonly text: string;
}

const FORM = "application/x-www-form-urlencoded";
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body, or the ApiError (400, 415 or 422) saying why it cannot be stored. */
export async function decodeInboundBody(
  contentType: string | null,
  bytes: Uint8Array,
): Promise<InboundBody | ApiError> {
  const type = mediaTypeOf(contentType);
  try {
    // Senders that name no type send JSON; so do those that name a `+json` one.
    if (type === "" || isJsonContentType(contentType)) {
      const json = await decodeJsonBody(bytes);
      return { payload: json.value, storable: json.storable, text: json.text };
    }
    if (type === FORM) {
      const text = decodeText(bytes);
      return { payload: parseFormBody(text), storable: undefined, text };
    }
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  return unsupportedMediaType(
    `unsupported content type "${type}": a source takes application/json or ${FORM}`,
  );
}

function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest("the body is not valid UTF-8");
  }
  if (!isStorableText(text)) throw badRequest("the body holds a NUL or a lone surrogate");
  return text;
}
