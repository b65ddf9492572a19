/**
 * The outbound request for one event to one endpoint, as the contract fixes it: body
 * `{"type", "timestamp", "data"}`, signed the Standard Webhooks way so that receivers can
 * verify it with svix's `Webhook.verify` or any Standard Webhooks library.
 */
import { signStandardWebhook, toUnixSeconds } from "../lib/standard-webhooks.ts";

export interface DeliveryMessage {
  /** `webhook-id`: the same on every attempt, so receivers can dedupe redeliveries. */
  readonly messageId: string;
  readonly type: string;
  /** When the event occurred: the body's `timestamp`. */
  readonly timestamp: Date;
  readonly data: unknown;
  /** The endpoint's `whsec_…` secret. */
  readonly secret: string;
  /**
   * The secret before a rotation, while SECRET_ROTATION_OVERLAP lasts: the request is
   * signed with both (`v1,<new> v1,<old>`), and a receiver that has either verifies it.
   */
  readonly previousSecret?: string | null;
  /** hookyard's version, for the user agent. */
  readonly version: string;
  /**
   * When this attempt is sent: `webhook-timestamp`. Defaults to now and must be fresh on
   * every attempt: receivers refuse timestamps more than 5 minutes old, so a retry hours
   * later signed with the event's own time would be refused forever.
   */
  readonly sentAt?: Date;
}

export interface DeliveryRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function buildDeliveryRequest(message: DeliveryMessage): DeliveryRequest {
  const body = deliveryBody(message);
  const sentAt = message.sentAt ?? new Date();
  const secrets = message.previousSecret
    ? [message.secret, message.previousSecret]
    : [message.secret];
  const signatures = secrets.map((secret) =>
    signStandardWebhook({ secret, id: message.messageId, timestamp: sentAt, body }),
  );
  return {
    body,
    headers: {
      ...unsignedHeaders(message.messageId, sentAt, message.version),
      "webhook-signature": signatures.join(" "),
    },
  };
}

/** The request body: what a receiver parses. */
export function deliveryBody(event: Pick<DeliveryMessage, "type" | "timestamp" | "data">): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.timestamp.toISOString(),
    // `undefined` would make JSON.stringify drop the key; receivers expect it present.
    data: event.data ?? null,
  });
}

/**
 * Every header of the request but its signature, which is all an attempt's record needs to
 * show what was sent (`request_headers`): the attempt's time is its webhook-timestamp.
 */
export function unsignedHeaders(
  messageId: string,
  sentAt: Date,
  version: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "webhook-id": messageId,
    "webhook-timestamp": String(toUnixSeconds(sentAt)),
    "user-agent": `hookyard/${version}`,
  };
}
