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
  const body = JSON.stringify({
    type: message.type,
    timestamp: message.timestamp.toISOString(),
    // `undefined` would make JSON.stringify drop the key; receivers expect it present.
    data: message.data ?? null,
  });
  const sentAt = toUnixSeconds(message.sentAt ?? new Date());
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": message.messageId,
      "webhook-timestamp": String(sentAt),
      "webhook-signature": signStandardWebhook({
        secret: message.secret,
        id: message.messageId,
        timestamp: sentAt,
        body,
      }),
      "user-agent": `hookyard/${message.version}`,
    },
  };
}
