/**
 * Row ids: UUIDv7, time-ordered, so ids sort by creation and index inserts stay local.
 * Hook ids are plain UUIDs too, as the named-hook API promises.
 */
export const newId = (): string => Bun.randomUUIDv7();
