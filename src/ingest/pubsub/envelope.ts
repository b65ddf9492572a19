/**
 * What arrives at POST /notifications: a Google Pub/Sub push envelope
 * (`{"message": {"data": "<base64 JSON event>", "messageId", "publishTime", "attributes"},
 * "subscription"}`) or the event itself, posted directly. Pure: JSON in, a decision out.
 *
 * An envelope whose data holds no valid event is *rejected*, not refused: Pub/Sub
 * redelivers anything not acknowledged with a 2xx, so refusing it would bring it back
 * forever. It is acknowledged and kept with the reason instead.
 */

/** The event the relay forwards to Svix. Other fields are kept and sent as they are. */
export interface RelayEvent {
  readonly id: string;
  readonly type: string;
  /** The Svix application uid the message goes to. */
  readonly project: string;
  readonly [field: string]: unknown;
}

export interface PubSubMeta {
  readonly messageId: string | null;
  readonly publishTime: string | null;
  readonly subscription: string | null;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type Notification =
  | { readonly kind: "event"; readonly event: RelayEvent; readonly pubsub: PubSubMeta | null }
  | { readonly kind: "rejected-envelope"; readonly reason: string; readonly pubsub: PubSubMeta }
  | { readonly kind: "invalid"; readonly error: string; readonly details: readonly FieldProblem[] };

/** Svix's rule for application uids. */
const SVIX_UID = /^[a-zA-Z0-9\-_.]+$/;
const MAX_ID = 256;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function decodeNotification(body: unknown): Notification {
  if (!isObject(body)) {
    return {
      kind: "invalid",
      error: "expected a JSON object: an event or a Pub/Sub push envelope",
      details: [{ field: "body", message: "not an object" }],
    };
  }
  if (isObject(body.message)) return decodeEnvelope(body, body.message);
  const problems = eventProblems(body);
  return problems.length > 0
    ? { kind: "invalid", error: "invalid event", details: problems }
    : { kind: "event", event: body as RelayEvent, pubsub: null };
}

function decodeEnvelope(envelope: Json, message: Json): Notification {
  const pubsub: PubSubMeta = {
    messageId: stringOrNull(message.messageId ?? message.message_id),
    publishTime: stringOrNull(message.publishTime ?? message.publish_time),
    subscription: stringOrNull(envelope.subscription),
    attributes: stringRecord(message.attributes),
  };
  const reject = (reason: string): Notification => ({ kind: "rejected-envelope", reason, pubsub });
  const data = message.data;
  if (typeof data !== "string" || data === "") return reject("message.data is missing");
  const bytes = decodeBase64(data);
  if (!bytes) return reject("message.data is not valid base64");
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return reject("message.data is not a UTF-8 JSON document");
  }
  if (!isObject(event)) return reject("message.data holds JSON that is not an object");
  const problems = eventProblems(event);
  if (problems.length > 0) {
    return reject(
      `message.data is not a valid event: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`,
    );
  }
  return { kind: "event", event: event as RelayEvent, pubsub };
}

function eventProblems(event: Json): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const required = (field: "id" | "type" | "project") => {
    const value = event[field];
    if (value === undefined || value === null) {
      problems.push({ field, message: "is required" });
      return undefined;
    }
    if (typeof value !== "string" || value === "" || value.length > MAX_ID) {
      problems.push({
        field,
        message: `must be a non-empty string of at most ${MAX_ID} characters`,
      });
      return undefined;
    }
    return value;
  };
  required("id");
  required("type");
  const project = required("project");
  if (project !== undefined && !SVIX_UID.test(project)) {
    problems.push({
      field: "project",
      message: "must be a valid Svix application uid: letters, digits, -, _ and . only",
    });
  }
  return problems;
}

/** Strict base64 (standard or URL-safe): Buffer.from would skip invalid characters silently. */
function decodeBase64(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (BASE64.test(trimmed)) return Buffer.from(trimmed, "base64");
  if (BASE64URL.test(trimmed) && trimmed.length % 4 !== 1) return Buffer.from(trimmed, "base64url");
  return undefined;
}

const stringOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

function stringRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}
