/**
 * What arrives at POST /notifications: a Google Pub/Sub push envelope
 * (`{"message": {"data": "<base64 JSON event>", "messageId", "publishTime", "attributes"},
 * "subscription"}`) or the event itself, posted directly (also what Pub/Sub sends with payload
 * unwrapping on). Pure: JSON in, a decision out.
 *
 * An envelope whose data holds no valid event is *rejected*, not refused: Pub/Sub
 * redelivers anything not acknowledged with a 2xx, so refusing it would bring it back
 * forever. It is acknowledged and kept with the reason instead. A bad raw event is the
 * sender's own mistake, told at once: 422, nothing stored.
 */
import { isJsonObject } from "../../lib/json.ts";
import { unstorableJson } from "../../lib/storable.ts";
import { decodeBase64Strict } from "./base64.ts";
import {
  checkRelayEvent,
  describeProblems,
  type FieldProblem,
  type RelayEvent,
} from "./relay-event.ts";

export type { FieldProblem, RelayEvent } from "./relay-event.ts";

/** Where an enveloped event came from, kept for inspection and tracing. */
export interface PubSubMeta {
  readonly messageId: string | null;
  readonly publishTime: string | null;
  readonly subscription: string | null;
  readonly attributes: Readonly<Record<string, string>>;
}

export type Notification =
  /** `pubsub` is null for an event posted directly. */
  | { readonly kind: "event"; readonly event: RelayEvent; readonly pubsub: PubSubMeta | null }
  /** An envelope without a valid event: answer 202, keep it as `rejected` with the reason. */
  | { readonly kind: "rejected-envelope"; readonly reason: string; readonly pubsub: PubSubMeta }
  /** A raw event that is not valid: answer 422 `{error, details}`. */
  | { readonly kind: "invalid"; readonly error: string; readonly details: readonly FieldProblem[] };

type Envelope = Record<string, unknown> & { readonly message: Record<string, unknown> };

/** Decodes a parsed JSON body. Never throws. */
export function decodeNotification(body: unknown): Notification {
  if (isPubSubEnvelope(body)) return decodeEnvelope(body);
  const check = checkRelayEvent(body);
  if (check.ok) return { kind: "event", event: check.event, pubsub: null };
  const error = isJsonObject(body)
    ? `invalid event: ${describeProblems(check.problems)}`
    : "expected a JSON object: an event or a Pub/Sub push envelope";
  return { kind: "invalid", error, details: check.problems };
}

/**
 * Recognised by Pub/Sub's shape, not by a `message` key alone: an event may carry a `message`
 * object of its own (a chat event, say), and taking it for an envelope would turn the sender's
 * 422 into a silent `rejected`.
 */
function isPubSubEnvelope(body: unknown): body is Envelope {
  if (!isJsonObject(body) || !isJsonObject(body.message)) return false;
  if ("type" in body && "project" in body) return false;
  const { message } = body;
  return (
    typeof body.subscription === "string" ||
    "data" in message ||
    "messageId" in message ||
    "message_id" in message
  );
}

function decodeEnvelope(envelope: Envelope): Notification {
  const pubsub = readMeta(envelope);
  const reject = (reason: string): Notification => ({ kind: "rejected-envelope", reason, pubsub });
  const data = envelope.message.data;
  if (typeof data !== "string" || data.trim() === "") return reject("message.data is missing");
  const bytes = decodeBase64Strict(data.trim());
  if (!bytes) return reject("message.data is not valid base64");
  let text: string;
  let event: unknown;
  try {
    text = utf8.decode(bytes);
    event = JSON.parse(text);
  } catch {
    return reject("message.data is not a UTF-8 JSON document");
  }
  const problem = unstorableJson(event, text);
  if (problem !== undefined) return reject(`message.data ${problem}`);
  if (!isJsonObject(event)) return reject("message.data holds JSON that is not an object");
  const check = checkRelayEvent(event);
  if (!check.ok) {
    return reject(`message.data is not a valid event: ${describeProblems(check.problems)}`);
  }
  return { kind: "event", event: check.event, pubsub };
}

/** `fatal`: invalid UTF-8 is an error, not U+FFFD quietly stored in the event. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Pub/Sub push sends each field in camelCase and in snake_case; either is read. */
function readMeta(envelope: Envelope): PubSubMeta {
  const { message } = envelope;
  return {
    messageId: stringOrNull(message.messageId ?? message.message_id),
    publishTime: stringOrNull(message.publishTime ?? message.publish_time),
    subscription: stringOrNull(envelope.subscription),
    attributes: stringAttributes(message.attributes),
  };
}

const stringOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

function stringAttributes(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}
