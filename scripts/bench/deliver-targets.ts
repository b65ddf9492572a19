/**
 * The delivery benchmark's targets, checked round by round: a target holds only when it
 * holds in every round, not just in the medians.
 */
import type { Result } from "./deliver-end-to-end.ts";
import type { Measurement } from "./deliver-receiver.ts";

/** End to end, deliveries/s at least this many times the graphile-worker peer's. */
export const PEER_RATIO_TARGET = { sqlite: 6, postgres: 4 } as const;
/** trigger→received p50 under a saturating trigger load, on both databases. */
export const P50_TARGET_MS = 250;
/** The delivery engine alone on PostgreSQL: hookyard's process and PostgreSQL's, per delivery. */
export const POSTGRES_CPU_TARGET_MICROS = 150;

export interface RoundsByDatabase {
  readonly sqlite?: readonly Result[];
  readonly postgres?: readonly Result[];
  readonly peer?: readonly Result[];
  /** The backlog runs on PostgreSQL, whose CPU is measured per process. */
  readonly postgresBacklog?: readonly Measurement[];
}

const listRounds = (values: readonly string[]) =>
  values.map((value, i) => `round ${i + 1} ${value}`).join(", ");

/** One line per target: whether it held in every round, and each round's figure. */
export function deliveryTargetLines(rounds: RoundsByDatabase): string[] {
  const lines: string[] = [];
  const verdict = (held: readonly boolean[]) =>
    held.length > 0 && held.every(Boolean) ? "met" : "missed";
  for (const dialect of ["sqlite", "postgres"] as const) {
    const own = rounds[dialect];
    if (!own || own.length === 0) continue;
    const name = dialect === "sqlite" ? "SQLite" : "PostgreSQL";
    if (rounds.peer && rounds.peer.length === own.length) {
      const ratios = own.map((r, i) => r.perSecond / (rounds.peer?.[i]?.perSecond ?? Infinity));
      const target = PEER_RATIO_TARGET[dialect];
      lines.push(
        `${verdict(ratios.map((x) => x >= target))}: ${name} deliveries/s ≥ ${target}× the peer's (${listRounds(ratios.map((x) => `${x.toFixed(2)}×`))})`,
      );
    }
    lines.push(
      `${verdict(own.map((r) => r.p50 < P50_TARGET_MS))}: ${name} trigger→received p50 < ${P50_TARGET_MS} ms (${listRounds(own.map((r) => `${r.p50} ms`))})`,
    );
  }
  const backlog = rounds.postgresBacklog;
  if (backlog && backlog.length > 0) {
    const perDelivery = backlog.map((m) => (m.cpu?.hookyard ?? 0) + (m.cpu?.PostgreSQL ?? 0));
    lines.push(
      `${verdict(perDelivery.map((us) => us <= POSTGRES_CPU_TARGET_MICROS))}: PostgreSQL backlog CPU per delivery, hookyard + PostgreSQL, ≤ ${POSTGRES_CPU_TARGET_MICROS} µs (${listRounds(perDelivery.map((us) => `${us.toFixed(0)} µs`))})`,
    );
  }
  return lines;
}
