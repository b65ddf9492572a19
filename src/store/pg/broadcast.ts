/**
 * Store.broadcast on PostgreSQL: messages to every instance's listeners by NOTIFY,
 * batched. A caller on a hot path (the delivery worker announcing each attempt) only
 * appends to a buffer; a timer sends what gathered as few NOTIFYs as fit, so a thousand
 * attempts a second cost a handful of statements, and none when nothing happens.
 */
import type postgres from "postgres";
import type { BroadcastTopic } from "../store.ts";

/** How long messages gather before they are sent: the added latency of a live view. */
export const BROADCAST_FLUSH_MS = 50;

/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; stay below with margin. */
export const MAX_NOTIFY_BYTES = 7_900;

/**
 * At most this many messages wait for the next flush; beyond, new ones are dropped. A
 * broadcast is a live view, not a record: a database that stopped answering must not
 * grow the buffer of a process that keeps working.
 */
export const MAX_PENDING_MESSAGES = 10_000;

const CHANNEL_PREFIX = "hookyard_";

export const channelOf = (topic: BroadcastTopic) => `${CHANNEL_PREFIX}${topic}`;

/**
 * Messages joined by newlines into payloads under MAX_NOTIFY_BYTES; a message that alone
 * is larger is left out (a caller's message is a line of JSON of a few hundred bytes).
 */
export function notifyPayloads(messages: readonly string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  // Counted as they are added: measuring the joined text each time copied it again and
  // again, and cost more than everything else a notification does.
  let currentBytes = 0;
  for (const message of messages) {
    if (message.includes("\n")) continue;
    const bytes = Buffer.byteLength(message);
    if (bytes >= MAX_NOTIFY_BYTES) continue;
    if (current.length > 0 && currentBytes + 1 + bytes >= MAX_NOTIFY_BYTES) {
      payloads.push(current.join("\n"));
      current = [];
      currentBytes = 0;
    }
    currentBytes += (current.length > 0 ? 1 : 0) + bytes;
    current.push(message);
  }
  if (current.length > 0) payloads.push(current.join("\n"));
  return payloads;
}

export class NotifyBatcher {
  private readonly pending = new Map<BroadcastTopic, string[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private count = 0;

  constructor(
    private readonly client: postgres.Sql,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  send(topic: BroadcastTopic, message: string): void {
    if (this.count >= MAX_PENDING_MESSAGES) return;
    this.count++;
    const messages = this.pending.get(topic);
    if (messages) messages.push(message);
    else this.pending.set(topic, [message]);
    this.timer ??= setTimeout(() => void this.flush(), BROADCAST_FLUSH_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    this.count = 0;
    for (const [topic, messages] of batches) {
      for (const payload of notifyPayloads(messages)) {
        // A lost batch loses a moment of a live view; the attempts themselves are on record.
        await this.client.notify(channelOf(topic), payload).catch(this.onError);
      }
    }
  }

  async listen(
    topic: BroadcastTopic,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    const subscription = await this.client.listen(channelOf(topic), (payload) => {
      for (const message of payload.split("\n")) listener(message);
    });
    return () => subscription.unlisten();
  }
}
