/**
 * The relay worker: claims due messages from the outbox (lease; SKIP LOCKED across
 * instances), sends each to Svix once, and records what the policy decides. A crash
 * mid-send leaves the lease to expire; the next attempt uses the same idempotency key,
 * so Svix keeps one message.
 */
import type { AppContext } from "../context.ts";
import { ClaimLoop } from "../ops/claim-loop.ts";
import { retryWithinLease } from "../ops/within-lease.ts";
import { bounded } from "../store/bounded.ts";
import type { RelayMessage } from "../store/relay.ts";
import { decideRelay, ProjectPauses } from "./policy.ts";
import type { SvixSender } from "./svix-sender.ts";

/** Sends in flight per instance; Svix rate-limits per organisation, so more rarely helps. */
export const RELAY_CONCURRENCY = 8;
/** Wakes up at least this often to pick up work queued while a notification was missed. */
const POLL_INTERVAL_MS = 5_000;

export function createRelayWorker(ctx: AppContext, sender: SvixSender): ClaimLoop<RelayMessage> {
  const holder = `${process.pid}-${crypto.randomUUID()}`;
  // Longer than one send can take (two requests: the application, then the message),
  // so a live worker keeps its lease; short enough that a dead one's work resumes soon.
  const lease = { ms: ctx.config.deliveryTimeoutMs * 2 + 5_000, holder };
  const pauses = new ProjectPauses();
  const { store, metrics, log } = ctx;

  const sendOne = async (message: RelayMessage): Promise<void> => {
    const project = message.project as string;
    const now = ctx.now();
    const leaseEndsAt = now.getTime() + lease.ms;
    const paused = pauses.pausedUntil(project, now);
    if (paused) {
      await store.relay.finish(
        message.id,
        holder,
        { status: "deferred", nextAttemptAt: paused },
        now,
      );
      return;
    }
    const outcome = await sender.send({
      project,
      eventId: message.eventId as string,
      eventType: message.eventType as string,
      payload: message.payload,
    });
    const finishedAt = ctx.now();
    const decision = decideRelay({
      outcome,
      attemptsMade: message.attemptCount + 1,
      queuedAt: message.queuedAt,
      now: finishedAt,
      maxAgeMs: ctx.config.relayMaxAgeMs,
    });
    if (decision.pauseProjectUntil) pauses.pause(project, decision.pauseProjectUntil);
    // Sent already: without its record, the message would be sent again after the lease.
    const recorded = await retryWithinLease(
      // Bounded (../store/bounded.ts): a try that never settles would hold the slot forever.
      () =>
        bounded(
          store.relay.finish(message.id, holder, decision.next, finishedAt),
          lease.ms,
          "recording a relay send",
        ),
      leaseEndsAt,
      ctx.now,
    );
    const label =
      outcome.kind === "sent" || outcome.kind === "duplicate"
        ? outcome.kind
        : outcome.kind === "rate-limited"
          ? "rate_limited"
          : decision.next.status === "failed"
            ? "failed"
            : "retrying";
    metrics.relaySends.inc({ outcome: label });
    log[decision.next.status === "failed" ? "warn" : "info"]("relay send", {
      relay_message_id: message.id,
      project,
      event_id: message.eventId,
      outcome: label,
      status: decision.next.status,
      ...(decision.next.status === "queued"
        ? { next_attempt_at: decision.next.nextAttemptAt, error: decision.next.error }
        : {}),
      ...(decision.next.status === "failed" ? { error: decision.next.error } : {}),
      ...(recorded ? {} : { lease_lost: true }),
    });
  };

  return new ClaimLoop<RelayMessage>({
    name: "relay",
    concurrency: RELAY_CONCURRENCY,
    pollIntervalMs: POLL_INTERVAL_MS,
    claim: (limit) => store.relay.claimDue(ctx.now(), limit, lease),
    process: sendOne,
    nextDueAt: () => store.relay.nextDueAt(),
    subscribe: (wake) => store.onWake("relay", wake),
    now: ctx.now,
    log,
  });
}
