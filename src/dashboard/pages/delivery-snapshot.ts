/**
 * A delivery and its attempts as of one moment. They are two reads, and a worker may
 * record an attempt between them: the page would then say "3 attempts, last 200" above
 * a list of two ending in a 503. Reading the delivery again after the attempts, and once
 * more when it changed in between, gives a pair that belongs together.
 */
import type { Delivery, DeliveryAttempt, DeliveryStore } from "../../store/deliveries.ts";

export interface DeliverySnapshot {
  readonly delivery: Delivery;
  readonly attempts: readonly DeliveryAttempt[];
}

/** Enough for a page view: a delivery is attempted at most every few hundred ms. */
const MAX_READS = 3;

const sameState = (a: Delivery, b: Delivery): boolean =>
  a.updatedAt.getTime() === b.updatedAt.getTime() &&
  a.attemptCount === b.attemptCount &&
  a.status === b.status;

/** Undefined when there is no such delivery (or it was deleted while being read). */
export async function readDeliverySnapshot(
  deliveries: Pick<DeliveryStore, "get" | "attempts">,
  id: string,
): Promise<DeliverySnapshot | undefined> {
  let before = await deliveries.get(id);
  for (let read = 1; before !== undefined; read++) {
    const attempts = await deliveries.attempts(id);
    const after = await deliveries.get(id);
    if (after === undefined) return undefined;
    if (sameState(before, after) || read === MAX_READS) return { delivery: after, attempts };
    before = after;
  }
  return undefined;
}
