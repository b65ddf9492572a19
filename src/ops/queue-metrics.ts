/**
 * Queue gauges, read from the database at scrape time: how many deliveries and relay
 * messages wait, and how long the oldest due one has waited. Alert on the age: a growing
 * age means messages are not leaving, whatever the reason.
 */
import type { AppContext } from "../context.ts";

export function registerQueueMetrics(ctx: AppContext): void {
  ctx.metrics.registry.collect(async () => {
    const now = ctx.now();
    const [deliveries, relay, relayOldest] = await Promise.all([
      ctx.store.deliveries.stats(now),
      ctx.store.relay.summary(),
      ctx.store.relay.oldestDueAt(now),
    ]);
    const relayByStatus = new Map<string, number>();
    for (const row of relay)
      relayByStatus.set(row.status, (relayByStatus.get(row.status) ?? 0) + row.count);
    ctx.metrics.queueDepth.replaceAll([
      ...Object.entries(deliveries.byStatus).map(([status, value]) => ({
        labels: { queue: "deliveries", status },
        value,
      })),
      ...[...relayByStatus].map(([status, value]) => ({
        labels: { queue: "relay", status },
        value,
      })),
    ]);
    const age = (at: Date | null) => (at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : 0);
    ctx.metrics.oldestPendingAge.replaceAll([
      { labels: { queue: "deliveries" }, value: age(deliveries.oldestDueAt) },
      { labels: { queue: "relay" }, value: age(relayOldest) },
    ]);
  });
}
