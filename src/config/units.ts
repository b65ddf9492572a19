/**
 * The units settings are written in: durations (`250ms`, `30s`, `15m`, `2h`, `7d`) and
 * sizes (`512kb`, `25mb`). Pure parsers that return `undefined` for anything else, so the
 * caller can name the setting in its error.
 */

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const SIZE_UNITS_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

function parseAmount<U extends string>(
  text: string,
  units: Record<U, number>,
  allowBare: boolean,
): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? "").toLowerCase();
  if (unit === "") return allowBare ? amount : undefined;
  const factor = (units as Record<string, number>)[unit];
  return factor === undefined ? undefined : Math.round(amount * factor);
}

/** Milliseconds, or `undefined` when the text is not a duration. A unit is required. */
export function parseDuration(text: string): number | undefined {
  return parseAmount(text, DURATION_UNITS_MS, false);
}

/** Bytes, or `undefined`. A bare number is bytes. */
export function parseSize(text: string): number | undefined {
  return parseAmount(text, SIZE_UNITS_BYTES, true);
}

/** The shortest exact rendering: 90000 → "90s", 7 days → "7d". For logs and `--help`. */
export function formatDuration(ms: number): string {
  const units = Object.entries(DURATION_UNITS_MS).reverse() as [string, number][];
  for (const [unit, factor] of units) {
    if (ms !== 0 && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}
