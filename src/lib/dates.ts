/**
 * The times hookyard stores: years 0001-9999, the ones ISO-8601's four digits write.
 * PostgreSQL refuses the year 0000 that a JavaScript Date can hold (there is no year 0
 * in its calendar), so a time outside this range is refused where it comes in.
 */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}
