/**
 * Which endpoints a batch of successes can leave out of the statement that records it
 * (./finish-attempts.ts). A healthy endpoint's successes change nothing on its row but its
 * last attempt, which is written at most once a second (LAST_ATTEMPT_PRECISION_MS); this
 * instance remembers until when its last write holds, and until then sends no share of
 * the batch for the endpoint, which spares the statement reading and locking its row: a
 * tenth of the statement's time on the success path.
 *
 * What this instance knows of an endpoint can be a second old: another instance may record
 * failures for it meanwhile. Its successes recorded here in that second then leave those
 * failures standing, until the next batch past the second ends them (and announces the
 * recovery); an instance's own failures always go to the statement, and forget what it knew.
 */
import type { EndpointBatch } from "../health-changes.ts";
import { LAST_ATTEMPT_PRECISION_MS } from "../health-changes.ts";

/** A bound on what is remembered, should endpoints come and go by the thousand. */
const MAX_REMEMBERED = 10_000;

export class HealthyEndpoints {
  private readonly known = new Map<
    string,
    { readonly until: number; readonly code: number | null }
  >();

  /** True when the statement has nothing to write for this share of a batch. */
  skips(batch: EndpointBatch): boolean {
    if (batch.failuresBefore + batch.failuresAfter > 0 || batch.gone !== null) return false;
    const known = this.known.get(batch.endpointId);
    return (
      known !== undefined &&
      batch.last.at.getTime() < known.until &&
      batch.last.statusCode === known.code
    );
  }

  /** The statement wrote this share of a batch: the endpoint has `failures` on record. */
  written(batch: EndpointBatch, failures: number): void {
    if (failures > 0) {
      this.known.delete(batch.endpointId);
      return;
    }
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(batch.endpointId, {
      until: batch.last.at.getTime() + LAST_ATTEMPT_PRECISION_MS,
      code: batch.last.statusCode,
    });
  }
}
