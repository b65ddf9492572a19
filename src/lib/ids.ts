/**
 * Row ids: UUIDv7, time-ordered, so ids sort by creation and index inserts stay local.
 * Hook ids are plain UUIDs too, as the named-hook API promises.
 */
export const newId = (): string => Bun.randomUUIDv7();

/**
 * The smallest UUIDv7 of the millisecond `ms`, every bit after the time zero (RFC 9562
 * §5.7: the first 48 bits are the Unix time in ms, so the hex text sorts as the time):
 * every id taken at or after `ms` sorts after it, every one taken before sorts before.
 * Resuming a stream from it replays exactly what was stored since `ms`.
 */
export function idFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0").slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The time a UUIDv7 was taken, in ms; undefined for ids that are not UUIDs. */
export function timeOfId(id: string): number | undefined {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(id);
  if (!match) return undefined;
  return Number.parseInt(`${match[1]}${match[2]}`, 16);
}
